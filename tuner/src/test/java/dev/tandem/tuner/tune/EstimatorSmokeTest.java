package dev.tandem.tuner.tune;

import dev.tandem.runtime.signal.SignalKind;
import dev.tandem.tuner.synth.SyntheticFleet;
import java.util.List;
import org.junit.jupiter.api.Test;

class EstimatorSmokeTest {
  @Test
  void printsOneReplicate() {
    SyntheticFleet f = SyntheticFleet.builder().devices(60).decisionsPerDevice(300).seed(3).build();
    FleetTable t = new FleetTable(f.policy(), SignalKind.MAX_PROB, v -> f.policy());
    long t0 = System.nanoTime();
    f.forEachDevice(t::add);
    long t1 = System.nanoTime();
    List<CandidateEstimate> e = new Estimator(t, f.policy(), 20, 1000, 1).estimate(new double[] {0.8, 0.9, 0.95}, 0,
        Estimator.Filter.ALL);
    long t2 = System.nanoTime();
    System.out.printf("build %.2fs estimate %.2fs identity %d/%d%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9,
        t.identityMismatches, t.identityChecked);
    for (CandidateEstimate c : e) {
      System.out.println(c.threshold + " acc " + c.accuracy + " off " + c.offload + " cost " + c.costPer1k + " p95 "
          + c.p95Ms + " ess " + c.ess + " warn " + c.warnings);
      System.out.println("   truth " + f.truth(c.threshold));
    }
  }
}
