package dev.tandem.relay.policy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code publish}: validate a policy and publish it, retained, as the fleet's next version. */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Validate a policy and publish it retained as the next version: the highest version read"
        + " from the broker, the local history or --expect-version, plus one. Exit 2: invalid policy;"
        + " 3: no version could be settled safely (nothing published).")
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

  @Mixin
  VersionOptions versions = new VersionOptions();

  @Override
  public Integer call() throws Exception {
    long size = Files.size(policy);
    if (size > versions.maxPolicyBytes) {
      System.err.println("policy rejected, nothing published: " + policy + " is " + size
          + " bytes, over the limit of " + versions.maxPolicyBytes + " (--max-policy-bytes)");
      return 2;
    }
    String json = new String(Files.readAllBytes(policy), StandardCharsets.UTF_8);
    try (PolicyPublisher p = versions.apply(new PolicyPublisher(broker, prefix, username,
        RollbackCommand.password(passwordFile), null))) {
      PolicyPublisher.Published r = p.publish(fleet, model, json, versions.expect());
      System.out.println("published " + policy + " as version " + r.version + " on " + r.topic
          + " (was " + r.previousVersion + ")");
      return 0;
    } catch (PolicyPublisher.PolicyRejectedException e) {
      System.err.println("policy rejected, nothing published: " + e.getMessage());
      return 2;
    } catch (PolicyPublisher.VersionRefusedException e) {
      System.err.println("version not settled, nothing published: " + e.getMessage());
      return VersionOptions.EXIT_VERSION_REFUSED;
    }
  }
}
