package dev.tandem.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.CloudInput;
import dev.tandem.runtime.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workload's split files as they are: labels by name, text for the edge and, on offload, for the cloud. */
class DataSetTest {
  @TempDir
  static Path dir;
  private static WordPieceTokenizer tokenizer;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = DataSetTest.class.getResourceAsStream("/all-minilm-l6-v2-q-tokenizer.json")) {
      tokenizer = WordPieceTokenizer.fromJson(in);
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
    DataSet ds = DataSet.read(f, TextInputs.edgeOnly(tokenizer, 128), List.of("ham", "spam"));
    assertThat(ds.items()).extracting(DataSet.Item::label).containsExactly(0, 1);
    assertThat(ds.items().get(1).id()).isEqualTo("spam-2/00042");
  }

  @Test
  void read_classNameWithoutNames_saysHowToGiveThem() throws IOException {
    Path f = write("names.jsonl", "{\"id\": \"a\", \"text\": \"hello\", \"label\": \"ham\"}");
    assertThatThrownBy(() -> DataSet.read(f, TextInputs.edgeOnly(tokenizer, 128), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1").hasMessageContaining("--labels");
  }

  @Test
  void read_unknownClassName_namesTheClasses() throws IOException {
    Path f = write("unknown.jsonl", "{\"id\": \"a\", \"text\": \"hello\", \"label\": \"eggs\"}");
    assertThatThrownBy(() -> DataSet.read(f, TextInputs.edgeOnly(tokenizer, 128), List.of("ham", "spam")))
        .hasMessageContaining("\"eggs\"").hasMessageContaining("[ham, spam]");
  }

  @Test
  void read_indexLabels_stillRead() throws IOException {
    Path f = write("index.jsonl", "{\"id\": \"a\", \"text\": \"hello\", \"label\": 1}",
        "{\"id\": \"b\", \"text\": \"hello\"}");
    DataSet ds = DataSet.read(f, TextInputs.edgeOnly(tokenizer, 128), List.of());
    assertThat(ds.items()).extracting(DataSet.Item::label).containsExactly(1, -1);
    assertThatThrownBy(() -> DataSet.read(write("neg.jsonl", "{\"text\": \"x\", \"label\": -1}"),
        TextInputs.edgeOnly(tokenizer, 128), List.of())).hasMessageContaining(">= 0");
  }

  @Test
  void cloudInput_longText_cloudGetsItsOwnLongerEncodingOnlyWhenBuilt() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      text.append("word").append(i % 7).append(' ');
    }
    Path f = write("long.jsonl", "{\"id\": \"long\", \"text\": \"" + text + "\", \"label\": \"spam\"}",
        "{\"id\": \"short\", \"text\": \"short one\", \"label\": \"ham\"}");
    DataSet ds = DataSet.read(f, TextInputs.of(tokenizer, 16, tokenizer, 64), List.of("ham", "spam"));
    DataSet.Item longOne = ds.items().get(0);
    assertThat(longOne.tensors().get(0).shape()).containsExactly(1, 16);
    CloudInput cloud = longOne.cloudInput();
    assertThat(cloud.bytes()).isEqualTo(64L * TextInputs.BYTES_PER_TOKEN);
    DataSet.Item shortOne = ds.items().get(1);
    long tokens = shortOne.tensors().get(0).shape()[1];
    assertThat(shortOne.cloudInput().bytes()).isEqualTo(tokens * TextInputs.BYTES_PER_TOKEN);
  }

  @Test
  void cloudInput_edgeOnlyText_cloudTakesTheEdgesTensors() throws IOException {
    Path f = write("edge.jsonl", "{\"id\": \"a\", \"text\": \"hello there\", \"label\": 0}");
    assertThat(DataSet.read(f, TextInputs.edgeOnly(tokenizer, 128), List.of()).items().get(0).cloudInput()).isNull();
  }

  @Test
  void labelNames_parsed_duplicatesAndBlanksRefused() {
    assertThat(ModelLabels.parse("ham, spam")).containsExactly("ham", "spam");
    assertThatThrownBy(() -> ModelLabels.parse("ham,ham")).hasMessageContaining("twice");
    assertThatThrownBy(() -> ModelLabels.parse("ham,,spam")).hasMessageContaining("empty");
  }
}
