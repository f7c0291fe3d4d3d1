package dev.tandem.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CloudRelayCommandTest {

  @Test
  void help_listsSubcommandsAndEveryServeOption() {
    CommandLine cl = new CommandLine(new CloudRelayCommand());
    assertThat(cl.getSubcommands()).containsKeys("serve", "collect", "publish", "rollback");
    String serve = cl.getSubcommands().get("serve").getUsageMessage();
    assertThat(serve).contains("--config", "--embedded-broker", "--broker-bind", "--broker-port",
        "--reload-interval-ms", "docs/relay.md");
  }

  @Test
  void serve_badConfig_exitsWithTheReason(@TempDir Path dir) throws Exception {
    Path cfg = dir.resolve("relay.json");
    Files.write(cfg, "{\"models\": []}".getBytes());
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new CloudRelayCommand());
    cl.setErr(new PrintWriter(err));
    java.io.PrintStream old = System.err;
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(buf, true));
    int code;
    try {
      code = cl.execute("serve", "--config", cfg.toString());
    } finally {
      System.setErr(old);
    }
    assertThat(code).isEqualTo(2);
    assertThat(buf.toString()).contains("broker.url is required");
  }
}
