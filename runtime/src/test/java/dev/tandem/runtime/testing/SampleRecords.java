package dev.tandem.runtime.testing;

import dev.tandem.runtime.cost.Cost;
import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.ExplorationKind;
import dev.tandem.runtime.policy.OffloaderState;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.policy.RoundTripSnapshot;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.EdgeResult;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.signal.Signals;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Realistic decision and amendment records, made by running a real {@link Policy} on random
 * (seeded) contexts, so that every record replays. For codec, spool and collector tests.
 */
public final class SampleRecords {
  /** The policy the samples are decided by (cascade 0.8, live exploration 0.1, every rule on). */
  public static final Policy POLICY = Policy.builder()
      .version(3)
      .threshold(0.8)
      .deadlineMs(250)
      .exploration(0.1, ExplorationKind.LIVE)
      .meteredMaxUploadBytes(2000)
      .battery(15, true)
      .costBudget(0.36, 0.001)
      .build();

  private static final NetworkType[] NETS = {NetworkType.WIFI, NetworkType.CELL_4G, NetworkType.CELL_3G, NetworkType.NONE};
  private static final OffloadStatus[] FAILS = {OffloadStatus.TIMEOUT, OffloadStatus.BUSY, OffloadStatus.OFFLINE};

  private SampleRecords() {}

  /** {@code n} records of {@code device} with sequence numbers from {@code firstSeq}; every fifth an amendment. */
  public static List<Record> mixed(String device, long firstSeq, int n, long seed) {
    Random rnd = new Random(seed);
    List<Record> out = new ArrayList<>();
    long seq = firstSeq;
    for (int i = 0; i < n; i++) {
      long time = 1_700_000_000_000L + i * 250L;
      if (i % 5 == 4) {
        String target = Record.id(device, Math.max(firstSeq, seq - 1 - rnd.nextInt(3)));
        if (rnd.nextBoolean()) {
          out.add(AmendmentRecord.label(device, seq++, time, target, rnd.nextInt(2)));
        } else {
          out.add(AmendmentRecord.lateReply(device, seq++, time, target,
              CloudResult.of(OffloadStatus.OK, "", rnd.nextInt(2), 300 + rnd.nextInt(100), 240, "relay-1", "v2", 3.5,
                  12.25, 4), 512));
        }
      } else {
        out.add(decision(device, seq++, time, rnd));
      }
    }
    return out;
  }

  /** One decision record decided by {@link #POLICY}. */
  public static DecisionRecord decision(String device, long seq, long time, Random rnd) {
    float p = 0.5f + rnd.nextFloat() * 0.5f;
    Signals s = Signals.fromProbabilities(new float[] {p, 1 - p});
    NetworkType net = NETS[rnd.nextInt(NETS.length)];
    DeviceState state = DeviceState.builder().networkType(net).metered(net == NetworkType.CELL_4G)
        .batteryPercent(rnd.nextInt(101)).charging(rnd.nextBoolean()).deviceClass(rnd.nextBoolean() ? "low" : "mid")
        .build();
    Prices prices = Prices.builder().devicePowerWatts(2.5).networkUsdPerGb(NetworkType.CELL_4G, 2)
        .cloudPer1000Requests(0.05).build();
    long payload = 500 + rnd.nextInt(3000);
    double edgeMs = 1 + rnd.nextDouble() * 20;
    DecisionContext ctx = DecisionContext.builder()
        .policyVersion(POLICY.version())
        .edgeModelHash("")
        .signals(s)
        .device(state)
        .payloadBytes(payload)
        .offloader(rnd.nextInt(10) == 0 ? OffloaderState.UNAVAILABLE : OffloaderState.AVAILABLE)
        .elapsedMs(edgeMs)
        .budgetAvailableUsd(rnd.nextDouble() * 0.001)
        .expectedOffloadUsd(prices.expectedOffloadUsd(payload, net))
        .roundTrip(RoundTripSnapshot.of(rnd.nextInt(20), 50 + rnd.nextDouble() * 100, 80 + rnd.nextDouble() * 300,
            rnd.nextInt(20_000)))
        .draw(rnd.nextDouble())
        .build();
    RouteDecision d = POLICY.decide(ctx);
    DecisionRecord.Builder b = DecisionRecord.builder().device(device).seq(seq).timeMs(time).fleet("fleet-a")
        .model("spam").decided(d).context(ctx).edge(EdgeResult.of(s, edgeMs, "CPU"));
    long up = 0;
    long down = 0;
    boolean charged = false;
    double latency = edgeMs;
    if (d.route().asksCloud()) {
      long budget = (long) (POLICY.deadlineMs() - edgeMs);
      up = payload + 100;
      if (rnd.nextInt(4) == 0) {
        OffloadStatus st = FAILS[rnd.nextInt(FAILS.length)];
        b.cloud(CloudResult.of(st, "failed on purpose", -1, st == OffloadStatus.BUSY ? 20 : -1, budget, "", "", -1, -1, -1));
        if (d.route() == Route.CLOUD) {
          b.outcome(Route.EDGE_FALLBACK, Reason.forStatus(st));
        }
        charged = st == OffloadStatus.TIMEOUT;
        latency += st == OffloadStatus.TIMEOUT ? budget : 20;
      } else {
        double rtt = 30 + rnd.nextDouble() * 100;
        down = 200;
        b.cloud(CloudResult.of(OffloadStatus.OK, "", rnd.nextInt(2), rtt, budget, "relay-1", "v2", 2.0, 10.5, 8));
        charged = true;
        latency += d.route() == Route.CLOUD ? rtt : 0;
      }
    }
    Cost cost = prices.cost(edgeMs, up, down, net, charged);
    return b.bytes(up, down).cost(cost).latencyMs(latency).build();
  }
}
