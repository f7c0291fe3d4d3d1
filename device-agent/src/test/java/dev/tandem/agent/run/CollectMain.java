package dev.tandem.agent.run;

import dev.tandem.relay.collect.CollectCommand;
import picocli.CommandLine;

/** {@code collect} as a process of its own, for the tests that kill it. */
public final class CollectMain {
  private CollectMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new CollectCommand()).execute(args));
  }
}
