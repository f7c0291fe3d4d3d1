package dev.tandem.runtime.internal.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import dev.tandem.runtime.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttSocketsTest {
  @Test
  void noDelay_plainSockets_haveTcpNoDelayBeforeAndAfterConnect() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket s = MqttSockets.noDelay().createSocket()) {
      assertThat(s.getTcpNoDelay()).isTrue();
      s.connect(server.getLocalSocketAddress());
      assertThat(s.getTcpNoDelay()).isTrue();
    }
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket s = MqttSockets.noDelay().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
      assertThat(s.getTcpNoDelay()).isTrue();
    }
  }

  @Test
  void noDelay_sslFactory_staysAnSslFactoryWithTcpNoDelay() throws Exception {
    SocketFactory f = MqttSockets.noDelay(SocketFactory.class.cast(SSLSocketFactory.getDefault()));
    assertThat(f).isInstanceOf(SSLSocketFactory.class);
    try (Socket s = f.createSocket()) {
      assertThat(s.getTcpNoDelay()).isTrue();
    }
    assertThat(MqttSockets.noDelay((SSLSocketFactory) f)).isSameAs(f);
  }

  @Test
  void tls_missingKeyBlock_failsNamingTheFile(@TempDir Path dir) throws Exception {
    Path ca = TestCertificates.shared().caPem();
    Path notAKey = Files.write(dir.resolve("key.pem"), "-----BEGIN RSA PRIVATE KEY-----\n".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> MqttSockets.tls(ca, ca, notAKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key.pem")
        .hasMessageContaining("pkcs8");
    assertThatThrownBy(() -> MqttSockets.tls(ca, ca, null)).hasMessageContaining("together");
  }
}
