package dev.tandem.demo;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar tandem.jar demo}: the project's front door. */
@Command(name = "tandem", mixinStandardHelpOptions = true, version = "tandem 0.1.0",
    description = "Tandem: edge-vs-cloud inference. 'demo' runs the whole loop on this machine.",
    subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class TandemCli {
  private TandemCli() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new TandemCli()).execute(args));
  }
}
