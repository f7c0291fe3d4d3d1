package dev.tandem.agent.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.Tensor;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputSourcesTest {
  @TempDir Path dir;

  @Test
  void parse_tensorRequest_buildsTheTensor() {
    InferRequest r = InferRequest.parse("{\"id\":\"a\",\"inputs\":[{\"name\":\"features\","
        + "\"type\":\"float32\",\"shape\":[1,4],\"data\":[1,2,3,4.5]}]}");
    assertThat(r.id()).isEqualTo("a");
    Tensor t = r.tensors().get(0);
    assertThat(t.type()).isEqualTo(ElementType.FLOAT32);
    assertThat(t.shape()).containsExactly(1, 4);
    assertThat(t.toFloatArray()).containsExactly(1f, 2f, 3f, 4.5f);
  }

  @Test
  void parse_badRequests_sayWhatIsWrong() {
    assertThatThrownBy(() -> InferRequest.parse("{\"inputs\":[{\"name\":\"x\",\"type\":\"float32\","
        + "\"shape\":[1,4],\"data\":[1]}]}"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("shape holds 4 elements, data has 1");
    assertThatThrownBy(() -> InferRequest.parse("{\"inputs\":[{\"name\":\"x\",\"type\":\"float16\","
        + "\"shape\":[1],\"data\":[1]}]}"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("float16");
    assertThatThrownBy(() -> InferRequest.parse("{}"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("\"text\" or \"inputs\"");
    assertThatThrownBy(() -> InferRequest.parse("{oops"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not valid JSON");
  }

  @Test
  void stdin_answersEveryLineInOrder() throws Exception {
    List<String> out = new ArrayList<>();
    long n = new StdinSource(new ByteArrayInputStream("{\"text\":\"a\"}\n\n{\"text\":\"b\"}\n"
        .getBytes(StandardCharsets.UTF_8)), (json, src) -> src + ":" + json, out::add).run();
    assertThat(n).isEqualTo(2);
    assertThat(out).containsExactly("stdin:{\"text\":\"a\"}", "stdin:{\"text\":\"b\"}");
  }

  @Test
  void directory_answersFilesInNameOrder_andMovesThemToDone() throws Exception {
    Files.write(dir.resolve("2.json"), "{\"text\":\"c\"}\n{\"text\":\"d\"}\n".getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("1.json"), "{\n  \"text\": \"a\"\n}\n".getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("3.json.tmp"), "{\"text\":\"half".getBytes(StandardCharsets.UTF_8));
    List<String> out = Collections.synchronizedList(new ArrayList<>());
    try (DirectorySource s = new DirectorySource(dir, (json, src) -> src + "=" + json.replaceAll("\\s", ""),
        out::add, 50)) {
      assertThat(s.pollOnce()).isEqualTo(3);
      assertThat(s.pollOnce()).isZero();
    }
    assertThat(out).containsExactly("dir:1.json={\"text\":\"a\"}", "dir:2.json={\"text\":\"c\"}",
        "dir:2.json={\"text\":\"d\"}");
    assertThat(dir.resolve("done/1.json")).exists();
    assertThat(dir.resolve("3.json.tmp")).exists();
  }
}
