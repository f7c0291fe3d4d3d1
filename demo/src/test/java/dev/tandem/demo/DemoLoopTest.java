package dev.tandem.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.agent.simulate.FleetStats;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.text.TextInput;
import dev.tandem.workload.build.BuildOptions;
import dev.tandem.workload.build.BuiltModels;
import dev.tandem.workload.build.ModelEntry;
import dev.tandem.workload.build.ReferenceModels;
import dev.tandem.workload.corpus.Message;
import dev.tandem.workload.fuse.FusedClassifier;
import dev.tandem.workload.split.MessagesJsonl;
import dev.tandem.workload.split.Part;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's loop, reduced: real reference models built from a small generated corpus (the real
 * encoders, heads trained on it; no npm), an embedded broker, the relay, the collector, a small
 * fleet for a few hundred messages, the tuner, publish, the report.
 *
 * <p>The corpus makes a real edge-cloud gap by length alone: the edge reads 24 tokens, the
 * cloud 64, and in about a third of the messages the words that tell spam from ham come only
 * after the edge's budget. The edge is unsure of exactly those, so a cascade whose threshold
 * offloads the least confident 30 % of the calibration messages sends them to the cloud, which
 * reads far enough to get them right.
 */
class DemoLoopTest {
  @TempDir
  Path dir;

  private static final String[] NEUTRAL = ("the weather was fine and we walked along the river to see the old bridge"
      + " near town where people sat on benches while birds moved between trees and a train passed slowly over"
      + " hills beyond fields of grass under clouds that drifted east in the afternoon light").split(" ");
  private static final String[] SPAM = ("free money winner claim prize cash offer click now limited deal"
      + " guaranteed bonus credit loan viagra casino lottery discount").split(" ");
  private static final String[] HAM = ("meeting agenda project report review schedule team notes draft quarterly"
      + " budget minutes colleague deadline presentation invoice conference").split(" ");

  /** Writes a corpus in the original layout: group folders of raw messages. */
  static Path corpus(Path root, int messages, long seed) throws IOException {
    Random r = new Random(seed);
    Path ham = Files.createDirectories(root.resolve("easy_ham"));
    Path spam = Files.createDirectories(root.resolve("spam"));
    for (int i = 0; i < messages; i++) {
      boolean isSpam = r.nextDouble() < 0.4;
      boolean late = r.nextDouble() < 0.3;
      StringBuilder body = new StringBuilder();
      words(body, NEUTRAL, late ? 30 + r.nextInt(8) : 1 + r.nextInt(4), r);
      words(body, isSpam ? SPAM : HAM, 6, r);
      words(body, NEUTRAL, 8, r);
      StringBuilder subject = new StringBuilder();
      words(subject, NEUTRAL, 3, r);
      String msg = "From: someone@example.com\nSubject: " + subject.toString().trim() + "\n\n" + body + "\n";
      Files.write((isSpam ? spam : ham).resolve(String.format("%05d", i)), msg.getBytes(StandardCharsets.UTF_8));
    }
    return root;
  }

  private static void words(StringBuilder sb, String[] pool, int n, Random r) {
    for (int i = 0; i < n; i++) {
      sb.append(pool[r.nextInt(pool.length)]).append(' ');
    }
  }

  @Test
  @Timeout(value = 40, unit = java.util.concurrent.TimeUnit.MINUTES)
  void demo_smallFleet_loopClosesFromDevicesThroughTunerBackToDevices() throws Exception {
    Path corpus = corpus(dir.resolve("corpus"), 500, 7);
    BuildOptions build = BuildOptions.builder().fp32Edge(false).edgeMaxTokens(24).cloudMaxTokens(64).fractions(0.4, 0.3)
        .intraOpThreads(1).corpusDir(corpus).build();
    double threshold = calibrationQuantile(ReferenceModels.ensureBuilt(dir.resolve("cache"), build), 0.3);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new TeeStream(captured, System.out), true, StandardCharsets.UTF_8);
    DemoSettings settings = DemoSettings.builder().devices(6).messages(150).seed(3).objective("target-offload=0.3")
        .cacheRoot(dir.resolve("cache")).corpusDir(corpus).outDir(dir.resolve("out")).port(0)
        .ratePerDevice(2).shadowRate(0.3).feedbackShare(0.7).initialThreshold(threshold).deadlineMs(5000)
        .networkMix("wifi=1,4g=1").deviceMix("flagship=1,midrange=1").relayThreads(1).build(build)
        .out(out).progress(null).build();

    DemoResult r = new Demo(settings).run();

    // Both phases decided every message, and every spool drained to the collector.
    assertThat(r.calibration().stats().decisions()).isEqualTo(150);
    assertThat(r.test().stats().decisions()).isEqualTo(150);
    assertThat(r.calibration().stats().errors() + r.test().stats().errors()).isZero();
    assertThat(r.calibration().notDrained() + r.test().notDrained()).isZero();

    // Every record the devices wrote is in the store exactly once.
    List<JsonObject> stored = records(r.store());
    List<String> ids = stored.stream().map(o -> o.get("device").getAsString() + ":" + o.get("seq").getAsLong())
        .collect(Collectors.toList());
    assertThat(new HashSet<>(ids)).hasSameSizeAs(ids);
    long decisions = stored.stream().filter(o -> "decision".equals(o.get("kind").getAsString())).count();
    long amendments = stored.stream().filter(o -> "amendment".equals(o.get("kind").getAsString())).count();
    assertThat(decisions).isEqualTo(r.calibration().stats().decisions() + r.test().stats().decisions());
    assertThat(amendments).isEqualTo(r.calibration().stats().amendments() + r.test().stats().amendments());

    // On the test messages the cascade offloads some but not most, and beats the edge alone.
    FleetStats t = r.test().stats();
    double offload = t.route(Route.CLOUD) / (double) t.decisions();
    assertThat(offload).isStrictlyBetween(0.0, 0.5);
    FleetStats.Accuracy a = t.accuracy();
    assertThat(a.labelled()).isEqualTo(150);
    assertThat(a.answeredRight()).isGreaterThan(a.edgeRight());

    // The summary is written, and the report when this build has one.
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("On the test split").contains("Tandem ");
    if (TunerCommands.available(TunerCommands.REPORT)) {
      assertThat(r.report()).isPresent();
      assertThat(Files.size(r.report().get())).isPositive();
    }

    // A policy produced by the tuner, published, and applied by every test device.
    assumeTrue(TunerCommands.available(TunerCommands.TUNE),
        "tandem-tune has no 'tune' command in this build (#14): the tuned-policy part of the loop is not checked");
    assertThat(r.tuned()).as(r.tuneMessage()).isTrue();
    long version = r.testPolicy().version();
    assertThat(version).isGreaterThan(r.basePolicy().version());
    Set<Long> testVersions = new HashSet<>();
    for (JsonObject o : stored) {
      if ("decision".equals(o.get("kind").getAsString()) && o.get("device").getAsString().startsWith("test-")) {
        testVersions.add(o.get("policy_version").getAsLong());
      }
    }
    assertThat(testVersions).containsExactly(version);
  }

  /**
   * The edge's {@code max_prob} below which a share {@code q} of the calibration messages fall:
   * the calibration policy's threshold, chosen on calibration data as an operator would.
   */
  static double calibrationQuantile(BuiltModels built, double q) throws IOException {
    List<Message> cal = MessagesJsonl.read(built.messages(Part.CALIBRATION));
    double[] conf = new double[cal.size()];
    ModelEntry edge = built.edge();
    try (FusedClassifier c = new FusedClassifier(edge.file(), TextInput.fromFile(edge.tokenizer(), edge.maxTokens()),
        1)) {
      for (int i = 0; i < conf.length; i++) {
        float[] p = c.probabilities(cal.get(i).text());
        conf[i] = Math.max(p[0], p[1]);
      }
    }
    Arrays.sort(conf);
    return conf[(int) Math.floor(q * (conf.length - 1))];
  }

  static List<JsonObject> records(Path store) throws IOException {
    List<JsonObject> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(store.resolve("records"))) {
      files = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().collect(Collectors.toList());
    }
    for (Path f : files) {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        if (!line.trim().isEmpty()) {
          out.add(JsonParser.parseString(line).getAsJsonObject());
        }
      }
    }
    return out;
  }

  /** Writes to two streams. */
  static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
