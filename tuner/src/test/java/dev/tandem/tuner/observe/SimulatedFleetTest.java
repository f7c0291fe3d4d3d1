package dev.tandem.tuner.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.record.RecordReplay;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedFleetTest {
  @TempDir Path dir;

  @Test
  void theStoreReadsBackAsTheGeneratedRows() {
    SimulatedFleet.Output out = new SimulatedFleet().seed(3).devices(12).days(3).perDeviceDay(20).generate();
    SimulatedFleet.writeStore(out, dir);
    StoreRows.Result read = StoreRows.read(dir, null, null);
    assertThat(read.rows()).containsExactlyInAnyOrderElementsOf(out.rows());
    assertThat(StoreRows.read(dir, out.rows().get(0).date().plusDays(1), null).rows())
        .hasSize(12 * 2 * 20);
  }

  @Test
  void generatedDecisionsReplayUnderTheirPolicy() {
    Policy p = SimulatedFleet.defaultPolicy(1, 0.8, 0.05);
    SimulatedFleet.Output out = new SimulatedFleet().seed(4).devices(5).days(1).perDeviceDay(50).generate();
    out.byDate().values().forEach(rs -> rs.stream()
        .filter(r -> r instanceof dev.tandem.runtime.record.DecisionRecord)
        .forEach(r -> assertThat(RecordReplay.replays(p, (dev.tandem.runtime.record.DecisionRecord) r)).isTrue()));
  }

  @Test
  void theFastPathMakesTheSameRows() {
    SimulatedFleet f = new SimulatedFleet().seed(9).devices(10).days(2).perDeviceDay(30)
        .fault(new SimulatedFleet.Fault(1, "wifi", null, 0.2, 0.05));
    List<DecisionRow> full = f.generate().rows();
    List<DecisionRow> fast = f.rowsOnly().generate().rows();
    assertThat(fast).hasSameSizeAs(full);
    for (int i = 0; i < full.size(); i++) {
      DecisionRow a = full.get(i);
      DecisionRow b = fast.get(i);
      assertThat(b).usingRecursiveComparison().ignoringFields("seq", "edgeUsd", "offloadUsd").isEqualTo(a);
      assertThat(b.costUsd()).isCloseTo(a.costUsd(), org.assertj.core.data.Offset.offset(1e-12));
    }
  }

  @Test
  void manyRowsAreQuick() {
    new SimulatedFleet().seed(5).devices(100).days(8).perDeviceDay(100).rowsOnly().generate();
    long t0 = System.nanoTime();
    List<DecisionRow> rows = new SimulatedFleet().seed(5).devices(200).days(8).perDeviceDay(100).rowsOnly()
        .generate().rows();
    System.out.println("160k rows in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    assertThat(rows).hasSize(160_000);
  }
}
