package dev.tandem.testsupport.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of a {@link HiveMqBroker}: runs HiveMQ CE with the configuration folder
 * {@code <home>/conf}, prints {@link #READY} once it listens, and exits when its standard input
 * closes (the test JVM stopped it or ended).
 */
final class HiveMqMain {
  static final String READY = "tandem-test-broker: ready";

  private HiveMqMain() {}

  public static void main(String[] args) throws Exception {
    Path home = Paths.get(args[0]);
    EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(home.resolve("conf"))
        .withDataFolder(home.resolve("data"))
        .withExtensionsFolder(home.resolve("extensions"))
        .build();
    hivemq.start().get(120, TimeUnit.SECONDS);
    System.out.println(READY);
    System.out.flush();
    InputStream in = System.in;
    try {
      while (in.read() >= 0) {
        // nothing is sent; the stream only ends
      }
    } catch (IOException ignored) {
      // the parent is gone
    }
    Runtime.getRuntime().halt(0);
  }
}
