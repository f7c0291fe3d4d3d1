package dev.tandem.relay.policy;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.OptionalLong;
import picocli.CommandLine.Option;

/** The options {@code publish} and {@code rollback} share to settle the next version. */
final class VersionOptions {
  /** Exit status when the version cannot be settled safely; nothing was published. */
  static final int EXIT_VERSION_REFUSED = 3;

  @Option(names = "--expect-version", paramLabel = "N",
      description = "The version the devices run (0 before a fleet's first policy): publish N + 1, refused if"
          + " another version is retained")
  Long expectVersion;

  @Option(names = "--history-dir",
      description = "The operator's local policy history, consulted for the version and written once per"
          + " version (default: ~/.tandem/policy-history)")
  Path historyDir;

  @Option(names = "--no-history", description = "Keep no local history")
  boolean noHistory;

  @Option(names = "--retained-wait-ms", defaultValue = "" + PolicyPublisher.DEFAULT_RETAINED_WAIT_MS,
      description = "How long to collect the retained policy and history from the broker (default: ${DEFAULT-VALUE})")
  long retainedWaitMs;

  @Option(names = "--max-policy-bytes", defaultValue = "" + PolicyPublisher.DEFAULT_MAX_POLICY_BYTES,
      description = "Largest policy published; keep it at or under the devices' policy.max_bytes"
          + " (default: ${DEFAULT-VALUE})")
  int maxPolicyBytes;

  OptionalLong expect() {
    return expectVersion == null ? OptionalLong.empty() : OptionalLong.of(expectVersion);
  }

  PolicyPublisher apply(PolicyPublisher p) {
    p.retainedWaitMs(retainedWaitMs).maxPolicyBytes(maxPolicyBytes);
    if (!noHistory) {
      p.history(new PolicyHistory(historyDir != null ? historyDir
          : Paths.get(System.getProperty("user.home"), ".tandem", "policy-history")));
    }
    return p;
  }
}
