package dev.tandem.testsupport.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of a {@link HiveMqBroker}: runs HiveMQ CE with the configuration folder
 * {@code <home>/conf}, warms it up ({@link WarmUp}) on its port, prints {@link #READY}, and exits when its standard input
 * closes (the test JVM stopped it or ended).
 */
final class HiveMqMain {
  static final String READY = "tandem-test-broker: ready";

  private HiveMqMain() {}

  public static void main(String[] args) throws Exception {
    Path home = Paths.get(args[0]);
    int port = Integer.parseInt(args[1]);
    EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(home.resolve("conf"))
        .withDataFolder(home.resolve("data"))
        .withExtensionsFolder(home.resolve("extensions"))
        .build();
    hivemq.start().get(120, TimeUnit.SECONDS);
    long t0 = System.nanoTime();
    try {
      int n = WarmUp.run(port);
      System.out.println("tandem-test-broker: warm-up: " + n + " messages in "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
    } catch (IOException e) {
      // A broker that serves the tests cold is still a broker: say so in its log and go on.
      System.out.println("tandem-test-broker: warm-up failed: " + e);
    }
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
