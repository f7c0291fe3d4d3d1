package dev.tandem.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.text.TextInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workload's split files as they are: labels by name, text kept for the devices' text front end. */
class DataSetTest {
  @TempDir
  static Path dir;
  private static TextInput text128;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = DataSetTest.class.getResourceAsStream("/all-minilm-l6-v2-q-tokenizer.json")) {
      text128 = TextInput.fromJson(in, 128);
    }
  }

  private static Path write(String name, String... lines) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    return p;
  }

  @Test
  void read_workloadSplitLines_labelsByClassName() throws IOException {
    Path f = write("split.jsonl",
        "{\"id\": \"easy-ham-1/00001\", \"text\": \"Meeting moved to Friday\", \"label\": \"ham\"}",
        "{\"id\": \"spam-2/00042\", \"text\": \"You won a prize, click now\", \"label\": \"spam\"}");
    DataSet ds = DataSet.read(f, TextInputs.edgeOnly(text128), List.of("ham", "spam"));
    assertThat(ds.items()).extracting(DataSet.Item::label).containsExactly(0, 1);
    assertThat(ds.items().get(1).id()).isEqualTo("spam-2/00042");
  }

  @Test
  void read_classNameWithoutNames_saysHowToGiveThem() throws IOException {
    Path f = write("names.jsonl", "{\"id\": \"a\", \"text\": \"hello\", \"label\": \"ham\"}");
    assertThatThrownBy(() -> DataSet.read(f, TextInputs.edgeOnly(text128), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1").hasMessageContaining("--labels");
  }

  @Test
  void read_unknownClassName_namesTheClasses() throws IOException {
    Path f = write("unknown.jsonl", "{\"id\": \"a\", \"text\": \"hello\", \"label\": \"eggs\"}");
    assertThatThrownBy(() -> DataSet.read(f, TextInputs.edgeOnly(text128), List.of("ham", "spam")))
        .hasMessageContaining("\"eggs\"").hasMessageContaining("[ham, spam]");
  }

  @Test
  void read_indexLabels_stillRead() throws IOException {
    Path f = write("index.jsonl", "{\"id\": \"a\", \"text\": \"hello\", \"label\": 1}",
        "{\"id\": \"b\", \"text\": \"hello\"}");
    DataSet ds = DataSet.read(f, TextInputs.edgeOnly(text128), List.of());
    assertThat(ds.items()).extracting(DataSet.Item::label).containsExactly(1, -1);
    assertThatThrownBy(() -> DataSet.read(write("neg.jsonl", "{\"text\": \"x\", \"label\": -1}"),
        TextInputs.edgeOnly(text128), List.of())).hasMessageContaining(">= 0");
  }

  @Test
  void read_textLines_keptAsTextForTheDevicesFrontEnd() throws IOException {
    Path f = write("text.jsonl", "{\"id\": \"a\", \"text\": \"hello there\", \"label\": 0}");
    TextInputs in = TextInputs.of(text128, text128.withMaxTokens(256));
    DataSet ds = DataSet.read(f, in, List.of());
    assertThat(ds.items().get(0).text()).contains("hello there");
    assertThat(ds.textInputs()).containsSame(in);
    assertThat(in.cloud().get().maxTokens()).isEqualTo(256);
  }

  @Test
  void read_textWithoutTokenizer_saysWhatIsMissing() throws IOException {
    Path f = write("notok.jsonl", "{\"id\": \"a\", \"text\": \"hello\"}");
    assertThatThrownBy(() -> DataSet.read(f, null, List.of())).hasMessageContaining("--tokenizer");
  }

  @Test
  void labelNames_parsed_duplicatesAndBlanksRefused() {
    assertThat(ModelLabels.parse("ham, spam")).containsExactly("ham", "spam");
    assertThatThrownBy(() -> ModelLabels.parse("ham,ham")).hasMessageContaining("twice");
    assertThatThrownBy(() -> ModelLabels.parse("ham,,spam")).hasMessageContaining("empty");
  }
}
