package dev.tandem.demo;

import dev.tandem.agent.simulate.FleetSimulation;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.workload.build.BuiltModels;
import java.nio.file.Path;
import java.util.Optional;

/** What a demo run did: the models, both fleet phases, the tuning, the policy in force and the report. */
public final class DemoResult {
  private final Builder b;

  private DemoResult(Builder b) {
    this.b = b;
  }

  public BuiltModels models() {
    return b.models;
  }

  /** The folder of this run (store, spools, policies, report). */
  public Path runDir() {
    return b.runDir;
  }

  /** The collector's store. */
  public Path store() {
    return b.store;
  }

  public FleetSimulation.Result calibration() {
    return b.calibration;
  }

  public FleetSimulation.Result test() {
    return b.test;
  }

  /** The policy the calibration fleet ran (published as version 1). */
  public Policy basePolicy() {
    return b.basePolicy;
  }

  /** The policy in force for the test fleet: the tuner's when it recommended one, else the base policy. */
  public Policy testPolicy() {
    return b.testPolicy;
  }

  public Path testPolicyFile() {
    return b.testPolicyFile;
  }

  /** Whether the tuner recommended the policy the test fleet ran. */
  public boolean tuned() {
    return b.tune != null && b.tune.policyJson().isPresent();
  }

  /** What the tuning step said. */
  public String tuneMessage() {
    return b.tune == null ? "tuning did not run" : b.tune.message();
  }

  TuneOutcome tune() {
    return b.tune;
  }

  /** The report, when this build has one. */
  public Optional<Path> report() {
    return Optional.ofNullable(b.report);
  }

  public String reportMessage() {
    return b.reportMessage();
  }

  /** Seconds the whole run took. */
  public double seconds() {
    return b.seconds;
  }

  static final class Builder {
    BuiltModels models;
    Path runDir;
    Path store;
    FleetSimulation.Result calibration;
    FleetSimulation.Result test;
    Policy basePolicy;
    Path basePolicyFile;
    Policy testPolicy;
    Path testPolicyFile;
    TuneOutcome tune;
    Path report;
    boolean reportAvailable = true;
    double seconds;

    Builder runDir(Path v) {
      runDir = v;
      return this;
    }

    Builder models(BuiltModels v) {
      models = v;
      return this;
    }

    Builder store(Path v) {
      store = v;
      return this;
    }

    Builder calibration(FleetSimulation.Result v) {
      calibration = v;
      return this;
    }

    Builder test(FleetSimulation.Result v) {
      test = v;
      return this;
    }

    Builder basePolicy(Policy p, Path file) {
      basePolicy = p;
      basePolicyFile = file;
      return this;
    }

    Builder testPolicy(Policy p, Path file) {
      testPolicy = p;
      testPolicyFile = file;
      return this;
    }

    Builder tune(TuneOutcome v) {
      tune = v;
      return this;
    }

    Builder report(Optional<Path> v) {
      report = v.orElse(null);
      reportAvailable = TunerCommands.available(TunerCommands.REPORT);
      return this;
    }

    String reportMessage() {
      if (report != null) {
        return "report: " + report;
      }
      return reportAvailable ? "report: the report command failed (see its output above)"
          : "report: not available in this build (tandem-tune has no 'report' command yet, #16)";
    }

    Builder seconds(double v) {
      seconds = v;
      return this;
    }

    DemoResult build() {
      return new DemoResult(this);
    }
  }
}
