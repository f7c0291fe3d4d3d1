package dev.tandem.runtime.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.CostBudget;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.ExplorationKind;
import dev.tandem.runtime.policy.OffloaderState;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.internal.policy.RoundTripEstimator;
import dev.tandem.runtime.signal.Signals;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Rules with memory replay per device: the estimator and budget rebuilt from a device's records
 * before decision i are exactly the state recorded in decision i's context.
 */
class RecordReplayTest {

  @Test
  void replay_rebuildsEstimatorAndBudgetStateRecordedInEachDecision() {
    Policy policy = Policy.builder().version(1).threshold(0.85).deadlineMs(150)
        .exploration(0.2, ExplorationKind.SHADOW)
        .costBudget(1.8, 0.0005) // 0.0005 USD/s, bursts of 0.0005
        .roundTrip(0.3, 4000, 16, 3, 1500)
        .build();
    Prices prices = Prices.builder().networkUsdPerGb(NetworkType.CELL_4G, 5).cloudPer1000Requests(0.1).build();
    RoundTripEstimator est = new RoundTripEstimator(policy);
    CostBudget budget = new CostBudget(policy);
    Random rnd = new Random(2024);
    List<DecisionRecord> records = new ArrayList<>();
    long t = 1_700_000_000_000L;
    for (int i = 0; i < 1500; i++) {
      t += 20 + rnd.nextInt(200);
      NetworkType net = rnd.nextInt(3) == 0 ? NetworkType.CELL_4G : NetworkType.WIFI;
      float p = 0.5f + rnd.nextFloat() * 0.5f;
      Signals s = Signals.fromProbabilities(new float[] {p, 1 - p});
      long payload = 1000 + rnd.nextInt(1000);
      double elapsed = 2 + rnd.nextDouble() * 5;
      DecisionContext ctx = DecisionContext.builder().policyVersion(1).signals(s)
          .device(DeviceState.of(net)).payloadBytes(payload).offloader(OffloaderState.AVAILABLE).elapsedMs(elapsed)
          .budgetAvailableUsd(budget.available(t)).expectedOffloadUsd(prices.expectedOffloadUsd(payload, net))
          .roundTrip(est.snapshot(net, t)).draw(rnd.nextDouble()).build();
      RouteDecision d = policy.decide(ctx);
      DecisionRecord.Builder b = DecisionRecord.builder().device("r").seq(i + 1).timeMs(t).decided(d).context(ctx);
      if (d.route().asksCloud()) {
        long budgetMs = (long) (policy.deadlineMs() - elapsed);
        budget.spend(t, ctx.expectedOffloadUsd());
        est.attempt(net, t);
        // 4G degrades for a while in the middle of the run.
        double rtt = (net == NetworkType.CELL_4G && i > 400 && i < 900 ? 300 : 40) + rnd.nextDouble() * 30;
        OffloadStatus st = rtt > budgetMs ? OffloadStatus.TIMEOUT : OffloadStatus.OK;
        est.outcome(net, t, st, st == OffloadStatus.OK ? rtt : -1, budgetMs);
        b.cloud(CloudResult.of(st, "", st == OffloadStatus.OK ? 0 : -1, st == OffloadStatus.OK ? rtt : -1, budgetMs,
            "", "", -1, -1, -1));
        if (st != OffloadStatus.OK && d.route() == Route.CLOUD) {
          b.outcome(Route.EDGE_FALLBACK, Reason.forStatus(st));
        }
      }
      // Through the codec, as a tuner would see it.
      records.add(RecordCodec.decodeDecision(RecordCodec.encode(b.build())));
    }
    assertThat(records.stream().filter(r -> r.reason() == Reason.DEADLINE_RISK).count()).isPositive();
    assertThat(records.stream().filter(r -> r.reason() == Reason.COST_BUDGET).count()).isPositive();
    assertThat(records.stream().filter(r -> r.reason() == Reason.PROBE).count()).isPositive();

    List<DecisionRecord> shuffled = new ArrayList<>(records);
    Collections.shuffle(shuffled, new Random(1)); // replay sorts by time itself
    for (int i = 0; i < records.size(); i += 25) {
      DecisionRecord r = records.get(i);
      List<DecisionRecord> before = new ArrayList<>();
      for (DecisionRecord x : shuffled) {
        if (x.seq() < r.seq()) {
          before.add(x);
        }
      }
      NetworkType net = r.context().device().networkType();
      assertThat(RecordReplay.roundTripAfter(policy, before, net, r.timeMs())).as("round trip before " + r.id())
          .isEqualTo(r.context().roundTrip());
      assertThat(RecordReplay.costBudget(policy, before).available(r.timeMs())).as("budget before " + r.id())
          .isEqualTo(r.context().budgetAvailableUsd());
      assertThat(RecordReplay.replays(policy, r)).isTrue();
    }
  }
}
