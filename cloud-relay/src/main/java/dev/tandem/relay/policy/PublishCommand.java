package dev.tandem.relay.policy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code publish}: validate a policy and publish it, retained, as the fleet's next version. */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Validate a policy and publish it retained as version = retained + 1.")
public final class PublishCommand implements Callable<Integer> {
  @Option(names = "--policy", required = true, description = "Policy JSON file")
  Path policy;

  @Option(names = "--fleet", required = true, description = "Fleet name")
  String fleet;

  @Option(names = "--model", required = true, description = "Edge model name (topic level)")
  String model;

  @Option(names = "--broker", required = true, description = "MQTT broker URL")
  String broker;

  @Option(names = "--topic-prefix", defaultValue = "tandem/v1")
  String prefix;

  @Option(names = "--username")
  String username;

  @Option(names = "--password-file")
  Path passwordFile;

  @Override
  public Integer call() throws Exception {
    String json = new String(Files.readAllBytes(policy), StandardCharsets.UTF_8);
    try (PolicyPublisher p = new PolicyPublisher(broker, prefix, username,
        RollbackCommand.password(passwordFile), null)) {
      PolicyPublisher.Published r = p.publish(fleet, model, json);
      System.out.println("published " + policy + " as version " + r.version + " on " + r.topic
          + " (was " + r.previousVersion + ")");
      return 0;
    } catch (PolicyPublisher.PolicyRejectedException e) {
      System.err.println("policy rejected, nothing published: " + e.getMessage());
      return 2;
    }
  }
}
