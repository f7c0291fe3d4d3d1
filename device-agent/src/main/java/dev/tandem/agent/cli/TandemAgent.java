package dev.tandem.agent.cli;

import dev.tandem.agent.run.RunCommand;
import dev.tandem.agent.simulate.SimulateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tandem-agent} command: a list of subcommands, nothing else.
 *
 * <pre>
 * java -jar device-agent/target/tandem-agent.jar infer --model m.onnx --input 'ids:int64[1,4]=1,2,3,4'
 * </pre>
 */
@Command(
    name = "tandem-agent",
    mixinStandardHelpOptions = true,
    version = "tandem-agent 0.1.0",
    description = "Tandem's device agent.",
    subcommands = {InferCommand.class, RunCommand.class, SimulateCommand.class, CommandLine.HelpCommand.class})
public final class TandemAgent {
  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, for tests and embedding. */
  public static CommandLine commandLine() {
    return new CommandLine(new TandemAgent());
  }
}
