package dev.tandem.workload.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.workload.corpus.Corpus;
import dev.tandem.workload.corpus.Label;
import dev.tandem.workload.corpus.Message;
import dev.tandem.workload.testing.CorpusFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitTest {
  private final Corpus corpus = CorpusFixture.corpus().deduplicated();

  @Test
  void stratified_partsAreDisjointCompleteAndKeepTheLabelRatio() {
    Split s = Split.stratified(corpus, 1, 0.6, 0.2);
    Set<String> all = new HashSet<>();
    for (Part p : Part.values()) {
      all.addAll(s.ids(p));
    }
    assertThat(all).hasSize(corpus.size());
    assertThat(s.ids(Part.TRAIN).size() + s.ids(Part.CALIBRATION).size() + s.ids(Part.TEST).size())
        .isEqualTo(corpus.size());
    double spam = (double) corpus.count(Label.SPAM) / corpus.size();
    for (Part p : Part.values()) {
      List<Message> m = s.messages(corpus, p);
      double partSpam = m.stream().filter(x -> x.label() == Label.SPAM).count() / (double) m.size();
      assertThat(partSpam).as(p.name()).isCloseTo(spam, org.assertj.core.data.Offset.offset(0.005));
    }
    assertThat(s.ids(Part.TRAIN).size()).isCloseTo((int) (corpus.size() * 0.6), org.assertj.core.data.Offset.offset(2));
  }

  @Test
  void stratified_sameSeedSameSplit_otherSeedOtherSplit() {
    Split a = Split.stratified(corpus, 1, 0.6, 0.2);
    assertThat(Split.stratified(corpus, 1, 0.6, 0.2).ids(Part.TEST)).isEqualTo(a.ids(Part.TEST));
    assertThat(Split.stratified(corpus, 2, 0.6, 0.2).ids(Part.TEST)).isNotEqualTo(a.ids(Part.TEST));
  }

  @Test
  void writeRead_roundTrips(@TempDir Path dir) throws IOException {
    Split a = Split.stratified(corpus, 5, 0.6, 0.2);
    a.write(dir.resolve("split.json"));
    Split b = Split.read(dir.resolve("split.json"));
    for (Part p : Part.values()) {
      assertThat(b.ids(p)).isEqualTo(a.ids(p));
    }
    assertThat(b.seed()).isEqualTo(5);
  }

  @Test
  void messagesJsonl_roundTrips(@TempDir Path dir) throws IOException {
    List<Message> m = new ArrayList<>(corpus.messages().subList(0, 30));
    m.add(new Message("x/1", "quote \" newline \n unicode é 😀", Label.SPAM));
    MessagesJsonl.write(dir.resolve("m.jsonl"), m);
    assertThat(MessagesJsonl.read(dir.resolve("m.jsonl"))).isEqualTo(m);
  }

  @Test
  void stratified_badFractions_throwNamingTheOption() {
    assertThatThrownBy(() -> Split.stratified(corpus, 1, 0.8, 0.2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("calibrationFraction");
    assertThatThrownBy(() -> Split.stratified(corpus, 1, 1.2, 0.1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trainFraction");
  }
}
