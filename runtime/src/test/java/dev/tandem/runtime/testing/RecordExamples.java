package dev.tandem.runtime.testing;

import dev.tandem.runtime.CloudInput;
import dev.tandem.runtime.Decision;
import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.internal.TandemInternals;
import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.spool.Spool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Prints the example policy and records of docs/policy.md and docs/records.md, made by a real
 * Tandem (tiny classifier on both ends, a local offloader): an edge decision, a cloud decision,
 * a timeout fallback with its late reply, and a label.
 *
 * <pre>
 * ./mvnw -q -o test-compile exec:java -pl runtime -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.tandem.runtime.testing.RecordExamples
 * </pre>
 */
public final class RecordExamples {
  private RecordExamples() {}

  public static void main(String[] args) throws Exception {
    Policy policy = Policy.fromJson("{\"schema\": 1, \"version\": 3, \"model\": \"tiny\", \"mode\": \"cascade\","
        + " \"signal\": \"max_prob\", \"threshold\": 0.8, \"deadline_ms\": 150,"
        + " \"exploration\": {\"rate\": 0.05, \"kind\": \"shadow\"}, \"metered\": {\"max_upload_bytes\": 65536},"
        + " \"battery\": {\"min_percent\": 15}, \"cost_budget\": {\"usd_per_hour\": 0.5, \"burst_usd\": 0.01}}");
    System.out.println(policy.toJson());
    Path dir = Files.createTempDirectory("tandem-examples");
    LocalModelOffloader cloud = new LocalModelOffloader(TinyModels.classifier());
    try (Tandem t = TandemInternals.get().offloader(Tandem.builder(), cloud).edgeModel(TinyModels.classifier())
        .intraOpThreads(1).model("tiny").deviceId("phone-17").fleet("beta").policy(policy)
        .spool(Spool.builder(dir).build())
        .deviceState(DeviceStateProvider.fixed(DeviceState.builder().networkType(NetworkType.CELL_4G).metered(true)
            .batteryPercent(64).charging(false).deviceClass("mid").build()))
        .prices(Prices.builder().devicePowerWatts(2.5).networkUsdPerGb(NetworkType.CELL_4G, 2.0)
            .cloudPer1000Requests(0.05).build())
        .clock(Clock.fixed(Instant.parse("2026-11-22T21:00:00Z"), ZoneOffset.UTC))
        .random(new Random(42))
        .build()) {
      t.infer(x(5, 0, 0, 0));
      t.infer(x(1, 1.2f, 0, 0), CloudInput.lazy(16, () -> x(3, 1.2f, 0, 0)));
      cloud.delayMs(400);
      Decision late = t.infer(x(1, 1.2f, 0, 0));
      Thread.sleep(600);
      t.feedback(late.id(), 1);
    }
    for (Path seg : Spool.listSegments(dir)) {
      System.out.print(new String(Files.readAllBytes(seg), StandardCharsets.UTF_8));
    }
    deleteTree(dir);
  }

  private static List<Tensor> x(float... v) {
    return Collections.singletonList(Tensor.ofFloats(TinyModels.FEATURES, v, 1, 4));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
