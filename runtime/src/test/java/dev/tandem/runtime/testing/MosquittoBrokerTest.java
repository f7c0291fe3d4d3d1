package dev.tandem.runtime.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class MosquittoBrokerTest {
  @Test
  void broker_stopAndStart_servesAgainOnTheSamePort() throws IOException {
    try (MosquittoBroker broker = MosquittoBroker.launch()) {
      int port = broker.port();
      assertThat(broker.url()).isEqualTo("tcp://127.0.0.1:" + port);
      assertThat(new String(Files.readAllBytes(broker.configFile()), "UTF-8")).contains("set_tcp_nodelay true");
      assertThat(accepts(port)).isTrue();
      broker.stop();
      assertThat(broker.isRunning()).isFalse();
      assertThat(accepts(port)).isFalse();
      broker.start();
      assertThat(broker.port()).isEqualTo(port);
      assertThat(accepts(port)).isTrue();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
