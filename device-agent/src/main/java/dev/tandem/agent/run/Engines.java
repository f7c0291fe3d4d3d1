package dev.tandem.agent.run;

import dev.tandem.agent.config.AgentConfig;
import dev.tandem.agent.http.AgentMetrics;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.internal.mqtt.MqttSockets;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.spool.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import javax.net.SocketFactory;

/** Builds the agent's runtime pieces from the config. */
final class Engines {
  private Engines() {}

  static Engine open(AgentConfig config, Spool spool, DeviceStateProvider state, Policy policy,
      AgentMetrics metrics, Clock clock) throws Exception {
    return TandemEngine.open(config, spool, state, policy, clock);
  }

  /** SHA-256 (hex) of a file: the edge model's identity, as policies name it. */
  static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    StringBuilder sb = new StringBuilder();
    for (byte b : md.digest()) {
      sb.append(String.format("%02x", b & 0xff));
    }
    return sb.toString();
  }

  static char[] password(AgentConfig.Broker b) throws IOException {
    if (!b.passwordFile().isPresent()) {
      return null;
    }
    return new String(Files.readAllBytes(b.passwordFile().get()), StandardCharsets.UTF_8).trim().toCharArray();
  }

  /** TCP_NODELAY sockets, over TLS when the broker section names a CA. */
  static SocketFactory socketFactory(AgentConfig.Broker b) {
    if (b.caFile().isPresent()) {
      return MqttSockets.tls(b.caFile().get(), b.certFile().orElse(null), b.keyFile().orElse(null));
    }
    return MqttSockets.noDelay();
  }
}
