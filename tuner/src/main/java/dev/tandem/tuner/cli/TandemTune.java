package dev.tandem.tuner.cli;

import dev.tandem.tuner.drift.DriftCommand;
import dev.tandem.tuner.hard.ExportHardCommand;
import dev.tandem.tuner.hard.PurgeCapturesCommand;
import dev.tandem.tuner.report.ReportCommand;
import dev.tandem.tuner.synth.GenerateCommand;
import dev.tandem.tuner.tune.TuneCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tandem-tune} command: a list of subcommands, nothing else.
 *
 * <pre>
 * java -jar tuner/target/tandem-tune.jar tune --store store/ --out tuned/
 * </pre>
 */
@Command(
    name = "tandem-tune",
    mixinStandardHelpOptions = true,
    version = "tandem-tune 0.1.0",
    description = "Tunes Tandem's routing policy from a fleet's decision records.",
    subcommands = {CommandLine.HelpCommand.class, TuneCommand.class, GenerateCommand.class, ReportCommand.class,
        DriftCommand.class, ExportHardCommand.class, PurgeCapturesCommand.class})
public final class TandemTune {
  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, for tests and embedding. */
  public static CommandLine commandLine() {
    return new CommandLine(new TandemTune());
  }
}
