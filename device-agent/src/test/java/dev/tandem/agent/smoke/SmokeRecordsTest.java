package dev.tandem.agent.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeRecordsTest {

  @Test
  void writeThenRead_keepsEveryFloatBitForBit(@TempDir Path dir) throws IOException {
    Random r = new Random(42);
    List<SmokeRecord> written = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      float[] v = new float[5];
      for (int k = 0; k < v.length; k++) {
        v[k] = (float) r.nextGaussian() * 1e-3f;
      }
      written.add(SmokeRecord.of("spam-1/" + i, v));
    }
    Path file = dir.resolve("run.jsonl");
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (SmokeRecord rec : written) {
        SmokeRecords.write(w, rec);
      }
    }

    assertThat(SmokeRecords.read(file)).isEqualTo(written);
  }

  @Test
  void read_malformedLine_namesFileAndLine(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.jsonl");
    Files.write(file, "{\"id\":\"a\",\"top1\":0,\"values\":[1.0]}\n{\"id\":\"b\"}\n".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> SmokeRecords.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.jsonl:2");
  }
}
