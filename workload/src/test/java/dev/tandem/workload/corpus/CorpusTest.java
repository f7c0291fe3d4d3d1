package dev.tandem.workload.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.workload.testing.CorpusFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
  @Test
  void load_npmPackage_readsAllGroupsWithLabels() {
    Corpus c = CorpusFixture.corpus();
    assertThat(c.size()).isEqualTo(6046);
    assertThat(c.count(Label.HAM)).isEqualTo(4150);
    assertThat(c.count(Label.SPAM)).isEqualTo(1896);
    assertThat(c.messages()).allSatisfy(m -> assertThat(m.text()).isNotEmpty());
    // Headers are gone; only forwarded or quoted messages carry header lines in their body.
    long withHeaders = c.messages().stream().filter(m -> m.text().contains("Received: from")).count();
    assertThat(withHeaders).isLessThan(c.size() / 50);
    assertThat(c.messages().stream().map(Message::id).collect(Collectors.toSet())).hasSize(6046);
  }

  @Test
  void deduplicated_dropsExactDuplicateTextsKeepingFirstId() {
    Corpus c = CorpusFixture.corpus();
    Corpus d = c.deduplicated();
    assertThat(d.duplicatesRemoved()).isEqualTo(c.size() - d.size()).isBetween(100, 200);
    assertThat(new HashSet<>(d.messages().stream().map(Message::text).collect(Collectors.toList())))
        .hasSize(d.size());
    assertThat(d.deduplicated().size()).isEqualTo(d.size());
  }

  @Test
  void load_originalLayout_givesTheSameTextsAsTheNpmLayout(@TempDir Path dir) throws IOException {
    // The npm package keeps each raw message beside its JSON: lay a few out as the original corpus.
    Path data = CorpusFixture.packageDir().resolve("package").resolve("data");
    Map<String, Message> byId = CorpusFixture.corpus().messages().stream()
        .collect(Collectors.toMap(Message::id, Function.identity()));
    List<String> copied = new ArrayList<>();
    for (String[] g : new String[][] {{"easy-ham-1", "easy_ham"}, {"spam-2", "spam_2"}}) {
      Path out = Files.createDirectories(dir.resolve(g[1]));
      Files.write(out.resolve("cmds"), "mv 00001 x\n".getBytes(StandardCharsets.UTF_8));
      try (java.util.stream.Stream<Path> s = Files.list(data.resolve(g[0]))) {
        for (Path txt : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".txt") && isAscii(p)).sorted().limit(20)::iterator) {
          String name = txt.getFileName().toString();
          Files.copy(txt, out.resolve(name.substring(0, name.length() - 4)));
          copied.add(g[0] + "/" + name.substring(0, name.indexOf('.')));
        }
      }
    }
    Corpus raw = Corpus.load(dir);
    assertThat(raw.size()).isEqualTo(40);
    assertThat(raw.count(Label.SPAM)).isEqualTo(20);
    for (int i = 0; i < copied.size(); i++) {
      Message fromJson = byId.get(copied.get(i));
      Message fromRaw = raw.messages().get(i);
      assertThat(fromRaw.label()).isEqualTo(fromJson.label());
      assertThat(fromRaw.text()).as(copied.get(i)).isEqualTo(fromJson.text());
    }
  }

  /** Pure ASCII files: the npm package decoded invalid UTF-8 its own way, so only these compare. */
  private static boolean isAscii(Path p) {
    try {
      for (byte b : Files.readAllBytes(p)) {
        if (b < 0) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void load_groupNamedNeitherSpamNorHam_throws(@TempDir Path dir) throws IOException {
    Files.write(Files.createDirectories(dir.resolve("misc")).resolve("1"),
        "Subject: x\n\nbody".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> Corpus.load(dir)).isInstanceOf(CorpusException.class)
        .hasMessageContaining("'misc'");
  }

  @Test
  void load_emptyFolder_throwsNamingTheLayout(@TempDir Path dir) {
    assertThatThrownBy(() -> Corpus.load(dir)).isInstanceOf(CorpusException.class)
        .hasMessageContaining("no messages");
  }

  @Test
  void sample_isSeededAndStratified() {
    Corpus c = CorpusFixture.corpus();
    Corpus a = c.sample(60, 7);
    assertThat(a.size()).isBetween(59, 61);
    assertThat(a.count(Label.SPAM)).isBetween(17L, 20L);
    assertThat(c.sample(60, 7).messages()).isEqualTo(a.messages());
    assertThat(c.sample(60, 8).messages()).isNotEqualTo(a.messages());
  }
}
