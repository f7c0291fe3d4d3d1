package dev.tandem.demo;

import dev.tandem.tuner.cli.TandemTune;
import java.util.List;
import picocli.CommandLine;

/**
 * The tuner's own commands ({@code tandem-tune tune}, {@code tandem-tune report}), run in this
 * process with the arguments a user would type. A subcommand this build does not have is
 * reported as such, never imitated.
 */
final class TunerCommands {
  static final String TUNE = "tune";
  static final String REPORT = "report";

  private TunerCommands() {}

  /** Whether this build's {@code tandem-tune} has the subcommand. */
  static boolean available(String subcommand) {
    return TandemTune.commandLine().getSubcommands().containsKey(subcommand);
  }

  /** Runs {@code tandem-tune <subcommand> <args>}; returns its exit status. */
  static int run(String subcommand, List<String> args) {
    String[] all = new String[args.size() + 1];
    all[0] = subcommand;
    for (int i = 0; i < args.size(); i++) {
      all[i + 1] = args.get(i);
    }
    CommandLine cl = TandemTune.commandLine();
    return cl.execute(all);
  }
}
