package dev.tandem.agent.run;

import dev.tandem.agent.config.AgentConfig;
import dev.tandem.agent.config.ConfigException;
import dev.tandem.agent.input.StdinSource;
import java.nio.file.Path;
import dev.tandem.runtime.internal.fatal.Failures;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem-agent run --config agent.json}: the device agent daemon. With stdin as an input
 * it runs until stdin ends; otherwise until SIGTERM. Exit status 0 on a clean stop, 1 when the
 * agent cannot start (the message says why), 2 on a bad config or command line.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the device agent: inputs, edge/cloud decisions, log upload, policy updates.")
public final class RunCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE", description = "The agent's JSON config (docs/agent.md).")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    AgentConfig config;
    try {
      config = AgentConfig.load(configFile);
    } catch (ConfigException e) {
      System.err.println("bad config " + configFile + ": " + e.getMessage());
      return 2;
    } catch (java.io.IOException e) {
      System.err.println("cannot read config " + configFile + ": " + e);
      return 2;
    }
    Agent agent;
    try {
      Failures failures = Failures.exitProcess();
      failures.installAsDefaultHandler("tandem-agent run");
      agent = Agent.start(config, new Agent.Options().failures(failures));
    } catch (IllegalStateException e) {
      System.err.println("cannot start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      agent.close();
      stopped.countDown();
    }, "agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    if (config.input().stdin()) {
      new StdinSource(System.in, agent, agent::emit).run();
      agent.close();
      Runtime.getRuntime().removeShutdownHook(hook);
      return 0;
    }
    stopped.await();
    return 0;
  }
}
