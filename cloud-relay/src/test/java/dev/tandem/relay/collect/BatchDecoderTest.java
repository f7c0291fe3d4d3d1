package dev.tandem.relay.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.relay.collect.BatchRefusedException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchDecoderTest {
  static final BatchLimits SMALL = BatchLimits.of(4096, 1000, 10, 100);

  @TempDir Path dir;

  @Test
  void linesWithinLimits_decoded_emptyLinesDropped() throws Exception {
    List<String> got = new BatchDecoder(SMALL).lines(CollectorTest.gzip(Arrays.asList("a", "", "bc")));
    assertThat(got).containsExactly("a", "bc");
  }

  @Test
  void lastLineWithoutNewline_kept() throws Exception {
    byte[] gz = gzipRaw("x\ny");
    assertThat(new BatchDecoder(SMALL).lines(gz)).containsExactly("x", "y");
  }

  @Test
  void eachLimit_refusedWithItsReason() throws Exception {
    BatchDecoder d = new BatchDecoder(SMALL);
    assertRefused(d, new byte[5000], Reason.PAYLOAD_TOO_LARGE);
    assertRefused(d, "not gzip".getBytes(StandardCharsets.UTF_8), Reason.NOT_GZIP);
    assertRefused(d, gzipRaw(repeat("012345678\n", 20)), Reason.TOO_MANY_LINES);
    assertRefused(d, gzipRaw(repeat("a", 101)), Reason.LINE_TOO_LONG);
    assertRefused(d, gzipRaw(repeat(repeat("a", 99) + "\n", 5) + repeat("b", 150)), Reason.LINE_TOO_LONG);
    BatchDecoder wide = new BatchDecoder(BatchLimits.of(4096, 1000, 1000, 1000));
    assertRefused(wide, gzipRaw(repeat(repeat("a", 99) + "\n", 11)), Reason.INFLATED_TOO_LARGE);
    // truncated gzip
    byte[] gz = CollectorTest.gzip(Arrays.asList("abc", "def"));
    assertRefused(d, Arrays.copyOf(gz, gz.length - 6), Reason.NOT_GZIP);
  }

  @Test
  void exactlyAtEachLimit_accepted() throws Exception {
    BatchDecoder d = new BatchDecoder(BatchLimits.of(4096, 1000, 10, 99));
    List<String> got = d.lines(gzipRaw(repeat(repeat("a", 99) + "\n", 10)));
    assertThat(got).hasSize(10).allSatisfy(l -> assertThat(l).hasSize(99));
  }

  @Test
  void limits_rejectNonsense() {
    assertThatThrownBy(() -> BatchLimits.of(0, 1, 1, 1)).hasMessageContaining("maxPayloadBytes");
    assertThatThrownBy(() -> BatchLimits.of(1, 10, 1, 11)).hasMessageContaining("maxLineBytes");
  }

  @Test
  void refusedBatch_isARefusedGapNotALoss_andSurvivesARestart() throws IOException {
    LogStore s = LogStore.open(dir, LogStoreTest.CLOCK, 1);
    s.store(LogStoreTest.batch("dev-r", "b1", 1, 10, 0));
    s.refuse("dev-r", "b2", 11, 20, 0, "inflated_too_large");
    s.store(LogStoreTest.batch("dev-r", "b3", 21, 30, 0));
    DeviceGaps g = s.gaps().get("dev-r");
    assertThat(g.refused()).isEqualTo(10);
    assertThat(g.lost()).isZero();
    DeviceGaps reopened = LogStore.open(dir, LogStoreTest.CLOCK, 1).gaps().get("dev-r");
    assertThat(reopened.refused()).isEqualTo(10);
    assertThat(reopened.lost()).isZero();
  }

  @Test
  void unusedRanges_boundedInCountAndWidth_soNoBatchCostsUnboundedWork() {
    java.util.List<long[]> many = new java.util.ArrayList<>();
    for (int i = 0; i < 1_001; i++) {
      many.add(new long[] {i * 10L, i * 10L + 1});
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new IncomingBatch("d", "b", 1, 2, 0, java.util.Collections.emptyList(), many))
        .hasMessageContaining("more than 1000");
    java.util.List<long[]> wide = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      wide.add(new long[] {i * 1_000_000L, i * 1_000_000L + 500_000});
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new IncomingBatch("d", "b", 1, 2, 0, java.util.Collections.emptyList(), wide))
        .hasMessageContaining("cover");
  }

  static void assertRefused(BatchDecoder d, byte[] payload, Reason reason) {
    assertThatThrownBy(() -> d.lines(payload)).isInstanceOf(BatchRefusedException.class)
        .satisfies(e -> assertThat(((BatchRefusedException) e).reason()).isEqualTo(reason));
  }

  static String repeat(String s, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(s);
    }
    return b.toString();
  }

  static byte[] gzipRaw(String text) throws IOException {
    java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bos)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bos.toByteArray();
  }
}
