package dev.tandem.relay.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rollback}: republish an older policy's content under a new version. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = "Republish the content of an older policy version as the next version (numbered as"
        + " publish numbers). Exit 2: no such version; 3: no version could be settled safely.")
public final class RollbackCommand implements Callable<Integer> {
  @Option(names = "--to-version", required = true, description = "The version whose content to republish")
  long toVersion;

  @Option(names = "--fleet", required = true)
  String fleet;

  @Option(names = "--model", required = true)
  String model;

  @Option(names = "--broker", required = true)
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
    try (PolicyPublisher p = versions.apply(new PolicyPublisher(broker, prefix, username, password(passwordFile), null))) {
      PolicyPublisher.Published r = p.rollback(fleet, model, toVersion, versions.expect());
      System.out.println("rolled back " + fleet + "/" + model + " to the content of version "
          + toVersion + ", published as version " + r.version);
      return 0;
    } catch (PolicyPublisher.PolicyRejectedException e) {
      System.err.println("rollback refused, nothing published: " + e.getMessage());
      return 2;
    } catch (PolicyPublisher.VersionRefusedException e) {
      System.err.println("version not settled, nothing published: " + e.getMessage());
      return VersionOptions.EXIT_VERSION_REFUSED;
    }
  }

  static char[] password(Path file) throws IOException {
    return file == null ? null
        : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim().toCharArray();
  }
}
