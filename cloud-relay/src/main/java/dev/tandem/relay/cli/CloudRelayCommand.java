package dev.tandem.relay.cli;

import dev.tandem.relay.collect.CollectCommand;
import dev.tandem.relay.collect.CompactCommand;
import dev.tandem.relay.policy.PublishCommand;
import dev.tandem.relay.policy.RollbackCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cloud-relay}: the cloud side of Tandem, one subcommand per job. Run with no arguments
 * or {@code --help} for the list.
 */
@Command(
    name = "cloud-relay",
    mixinStandardHelpOptions = true,
    version = "cloud-relay 0.1.0",
    description = "The cloud side of Tandem: serve offloaded requests, collect logs, publish policies.",
    subcommands = {
      ServeCommand.class,
      CollectCommand.class,
      CompactCommand.class,
      PublishCommand.class,
      RollbackCommand.class,
    })
public final class CloudRelayCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Entry point; exits with the subcommand's status. */
  public static void main(String[] args) {
    // HiveMQ's jar carries its own logback.xml; name ours so logback does not pick between two.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "tandem-relay-logback.xml");
    }
    System.exit(new CommandLine(new CloudRelayCommand()).execute(args));
  }
}
