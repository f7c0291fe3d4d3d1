package dev.tandem.tuner.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.tuner.cli.TandemTune;
import dev.tandem.tuner.observe.SimulatedFleet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftCommandTest {
  @TempDir static Path dir;
  static Path clean;
  static Path drifted;

  @BeforeAll
  static void stores() {
    clean = dir.resolve("clean");
    drifted = dir.resolve("drifted");
    SimulatedFleet.writeStore(fleet(11).generate(), clean);
    SimulatedFleet.writeStore(fleet(12).fault(new SimulatedFleet.Fault(7, null, null, 0.3, 0)).generate(), drifted);
  }

  static SimulatedFleet fleet(long seed) {
    return new SimulatedFleet().seed(seed).devices(40).days(8).perDeviceDay(30)
        .policyOfDay(d -> SimulatedFleet.defaultPolicy(1, 0.8, 0.2));
  }

  record Run(int rc, List<String> out, String err) {}

  static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      String[] all = new String[args.length + 1];
      all[0] = "drift";
      System.arraycopy(args, 0, all, 1, args.length);
      int rc = TandemTune.commandLine().execute(all);
      String o = out.toString(StandardCharsets.UTF_8);
      return new Run(rc, o.isEmpty() ? List.of() : Arrays.asList(o.split("\n")), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void aCleanStoreExitsZeroWithoutOutput() {
    Run r = run("--store", clean.toString(), "--baseline", "7d", "--window", "1d");
    assertThat(r.rc()).as(r.err()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("0 alarms").contains("window 2026-11-27..2026-11-27");
  }

  @Test
  void aDriftedStoreExitsOneWithALinePerAlarmAndAJsonResult() throws Exception {
    Path json = dir.resolve("drift.json");
    Run r = run("--store", drifted.toString(), "--json", json.toString());
    assertThat(r.rc()).as(r.err()).isEqualTo(1);
    assertThat(r.out()).isNotEmpty().allMatch(l -> l.startsWith("ALARM "));
    assertThat(r.out()).anyMatch(l -> l.contains("all edge=abababab agreement_explored policy=v1"));
    JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    assertThat(o.get("alarm").getAsBoolean()).isTrue();
    assertThat(o.get("alarms").getAsInt()).isEqualTo(r.out().size());
    assertThat(o.getAsJsonArray("findings").size()).isEqualTo(o.get("tests").getAsInt());
    assertThat(o.getAsJsonArray("calibration").get(0).getAsJsonObject().get("calibration_error").getAsDouble())
        .isBetween(0.0, 0.1);
  }

  @Test
  void explicitReceiveDatesSelectTheWindows() {
    Run r = run("--store", drifted.toString(), "--baseline-from", "2026-11-20", "--baseline-to", "2026-11-24",
        "--window-from", "2026-11-25", "--window-to", "2026-11-26");
    assertThat(r.rc()).as(r.err()).isZero();
    assertThat(r.err()).contains("baseline 2026-11-20..2026-11-24").contains("window 2026-11-25..2026-11-26");
  }

  @Test
  void badArgumentsExitTwoWithTheReason() {
    assertThat(run("--store", clean.toString(), "--window", "1w")).satisfies(r -> {
      assertThat(r.rc()).isEqualTo(2);
      assertThat(r.err()).contains("--window must be a number of days such as 7d");
    });
    assertThat(run("--store", clean.toString(), "--baseline-from", "2026-11-20")).satisfies(r -> {
      assertThat(r.rc()).isEqualTo(2);
      assertThat(r.err()).contains("need all four");
    });
    assertThat(run("--store", clean.toString(), "--min-effect", "offload=0.1")).satisfies(r -> {
      assertThat(r.rc()).isEqualTo(2);
      assertThat(r.err()).contains("unknown metric 'offload'");
    });
    assertThat(run("--store", dir.resolve("none").toString())).satisfies(r -> {
      assertThat(r.rc()).isEqualTo(2);
      assertThat(r.err()).contains("no records/date=YYYY-MM-DD partitions");
    });
    assertThat(run("--store", clean.toString(), "--until", "2027-01-31")).satisfies(r -> {
      assertThat(r.rc()).isEqualTo(2);
      assertThat(r.err()).contains("no decision records");
    });
  }
}
