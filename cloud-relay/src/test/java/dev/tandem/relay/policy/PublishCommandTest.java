package dev.tandem.relay.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PublishCommandTest {
  @TempDir Path dir;

  static int run(Object command, ByteArrayOutputStream err, String... args) {
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return new CommandLine(command).execute(args);
    } finally {
      System.setErr(old);
    }
  }

  @Test
  void publishAndRollbackCommands_refuseBadInputWithAClearMessage_andPublishGoodPolicies() throws Exception {
    Path good = dir.resolve("good.json");
    Files.write(good, PolicyFixtures.valid(0.7).getBytes(StandardCharsets.UTF_8));
    Path bad = dir.resolve("bad.json");
    Files.write(bad, PolicyFixtures.invalid().getBytes(StandardCharsets.UTF_8));
    try (TestBroker broker = TestBrokers.start()) {
      String[] common = {"--broker", broker.url(), "--fleet", "f", "--model", "minilm",
          "--history-dir", dir.resolve("history").toString(), "--retained-wait-ms", "500"};
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = run(new PublishCommand(), err, concat(common, "--policy", bad.toString()));
      assertThat(code).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("policy rejected, nothing published")
          .contains("threshold");

      // nothing retained, nothing recorded: refused, naming the ways out
      ByteArrayOutputStream firstErr = new ByteArrayOutputStream();
      assertThat(run(new PublishCommand(), firstErr, concat(common, "--policy", good.toString()))).isEqualTo(3);
      assertThat(firstErr.toString(StandardCharsets.UTF_8)).contains("nothing published", "--expect-version", "--history-dir");
      assertThat(run(new PublishCommand(), new ByteArrayOutputStream(),
          concat(common, "--policy", good.toString(), "--expect-version", "0"))).isZero();
      assertThat(run(new PublishCommand(), new ByteArrayOutputStream(), concat(common, "--policy", good.toString())))
          .isZero();
      ByteArrayOutputStream bigErr = new ByteArrayOutputStream();
      assertThat(run(new PublishCommand(), bigErr, concat(common, "--policy", good.toString(), "--max-policy-bytes", "64")))
          .isEqualTo(2);
      assertThat(bigErr.toString(StandardCharsets.UTF_8)).contains("over the limit of 64");
      ByteArrayOutputStream rbErr = new ByteArrayOutputStream();
      assertThat(run(new RollbackCommand(), rbErr, concat(common, "--to-version", "7"))).isEqualTo(2);
      assertThat(rbErr.toString(StandardCharsets.UTF_8)).contains("no policy version 7");
      assertThat(run(new RollbackCommand(), new ByteArrayOutputStream(), concat(common, "--to-version", "1"))).isZero();
      try (PolicyPublisher p = new PolicyPublisher(broker.url(), "tandem/v1", null, null, null)) {
        assertThat(p.retainedVersion("f", "minilm")).hasValue(3);
      }
    }
  }

  static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
