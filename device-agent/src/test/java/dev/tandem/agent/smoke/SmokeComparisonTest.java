package dev.tandem.agent.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SmokeComparisonTest {

  private static List<SmokeRecord> run(long seed, int n, double jitter) {
    Random r = new Random(seed);
    Random noise = new Random(seed + 1);
    List<SmokeRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float p = 0.05f + 0.9f * r.nextFloat();
      float d = (float) ((noise.nextDouble() * 2 - 1) * jitter);
      out.add(SmokeRecord.of("m" + i, new float[] {1 - p - d, p + d}));
    }
    return out;
  }

  @Test
  void compare_identicalRuns_passWithZeroDifference() {
    SmokeComparison c = SmokeComparison.of(run(7, 50, 0), run(7, 50, 0), 1e-3);

    assertThat(c.passed()).isTrue();
    assertThat(c.count()).isEqualTo(50);
    assertThat(c.maxAbsDiff()).isZero();
    assertThat(c.maxDiffId()).isEmpty();
    assertThat(c.identical()).isEqualTo(50);
    assertThat(c.report()).startsWith("PASS").contains("top-1 equal: 50/50").contains("bit-identical: 50/50");
  }

  @Test
  void compare_smallNoise_passesAndReportsTheLargestDifference() {
    List<SmokeRecord> ref = run(7, 50, 0);
    List<SmokeRecord> cand = run(7, 50, 2e-4);

    SmokeComparison c = SmokeComparison.of(ref, cand, 1e-3);

    assertThat(c.passed()).isTrue();
    assertThat(c.maxAbsDiff()).isGreaterThan(0).isLessThanOrEqualTo(2e-4 + 1e-7);
    int at = Integer.parseInt(c.maxDiffId().substring(1));
    double expected = 0;
    for (int k = 0; k < 2; k++) {
      expected = Math.max(expected, Math.abs((double) ref.get(at).values()[k] - cand.get(at).values()[k]));
    }
    assertThat(c.maxAbsDiff()).isEqualTo(expected);
  }

  @Test
  void compare_differenceAboveTolerance_fails() {
    List<SmokeRecord> ref = run(3, 10, 0);
    List<SmokeRecord> cand = new ArrayList<>(ref);
    float[] v = ref.get(4).values();
    cand.set(4, SmokeRecord.of("m4", new float[] {v[0] - 0.002f, v[1] + 0.002f}));

    SmokeComparison c = SmokeComparison.of(ref, cand, 1e-3);

    assertThat(c.passed()).isFalse();
    assertThat(c.maxDiffId()).isEqualTo("m4");
    assertThat(c.identical()).isEqualTo(9);
    assertThat(c.maxAbsDiff()).isCloseTo(0.002, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(c.report()).startsWith("FAIL");
    assertThat(c.verdict()).isEqualTo(
        "FAIL: top-1 equal on 10/10, but max |diff| 2.000e-03 exceeds the tolerance 1.0e-03 (at m4)");
  }

  @Test
  void compare_top1Flip_failsEvenWithinTolerance() {
    List<SmokeRecord> ref = Arrays.asList(SmokeRecord.of("a", new float[] {0.5002f, 0.4998f}));
    List<SmokeRecord> cand = Arrays.asList(SmokeRecord.of("a", new float[] {0.4999f, 0.5001f}));

    SmokeComparison c = SmokeComparison.of(ref, cand, 1e-3);

    assertThat(c.maxAbsDiff()).isLessThan(1e-3);
    assertThat(c.top1Mismatches()).containsExactly("a");
    assertThat(c.passed()).isFalse();
    assertThat(c.report()).contains("top-1 differs: a");
    assertThat(c.verdict()).isEqualTo("FAIL: top-1 differs on 1/1 messages");
  }

  @Test
  void compare_missingRecords_failsWithCountProblem() {
    SmokeComparison c = SmokeComparison.of(run(1, 5, 0), run(1, 4, 0), 1e-3);

    assertThat(c.passed()).isFalse();
    assertThat(c.count()).isEqualTo(4);
    assertThat(c.problems()).anySatisfy(p -> assertThat(p).contains("counts differ"));
  }

  @Test
  void compare_idsOutOfStep_failsNamingBoth() {
    List<SmokeRecord> ref = run(1, 3, 0);
    List<SmokeRecord> cand = new ArrayList<>(ref);
    cand.set(1, SmokeRecord.of("other", ref.get(1).values()));

    SmokeComparison c = SmokeComparison.of(ref, cand, 1e-3);

    assertThat(c.passed()).isFalse();
    assertThat(c.problems()).containsExactly("record 1: ids differ: 'm1' vs 'other'");
  }

  @Test
  void compare_nonFiniteValue_fails() {
    List<SmokeRecord> ref = Arrays.asList(SmokeRecord.of("a", new float[] {0.3f, 0.7f}));
    List<SmokeRecord> cand = Arrays.asList(SmokeRecord.of("a", 1, new float[] {Float.NaN, 0.7f}));

    SmokeComparison c = SmokeComparison.of(ref, cand, 1e-3);

    assertThat(c.passed()).isFalse();
    assertThat(c.problems()).containsExactly("record 'a': value 0 is not finite");
  }

  @Test
  void compare_emptyReference_fails() {
    SmokeComparison c = SmokeComparison.of(new ArrayList<>(), new ArrayList<>(), 1e-3);

    assertThat(c.passed()).isFalse();
  }

  @Test
  void compare_negativeTolerance_isRejected() {
    assertThatThrownBy(() -> SmokeComparison.of(run(1, 1, 0), run(1, 1, 0), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tolerance");
  }

  @Test
  void record_top1IsTheFirstLargestValue() {
    assertThat(SmokeRecord.of("a", new float[] {0.2f, 0.5f, 0.5f}).top1()).isEqualTo(1);
    assertThatThrownBy(() -> SmokeRecord.of("a", 2, new float[] {0.2f, 0.8f}))
        .hasMessageContaining("top1 2");
  }
}
