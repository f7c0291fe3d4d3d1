package dev.tandem.relay.serve;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Socket factories for the relay's broker connection: TCP_NODELAY always (a reply is one small
 * write that must not wait for Nagle's algorithm), and TLS from PEM files when configured.
 */
final class RelaySockets {
  private RelaySockets() {}

  static SocketFactory plain() {
    return new NoDelay(SocketFactory.getDefault());
  }

  /**
   * A TLS factory trusting {@code ca} (or the JVM's trust store when null) and presenting
   * {@code cert}/{@code key} when both are given.
   *
   * @throws ConfigException when a file cannot be read or parsed
   */
  static SSLSocketFactory tls(Path ca, Path cert, Path key) {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (ca == null) {
        tmf.init((KeyStore) null);
      } else {
        KeyStore ts = KeyStore.getInstance(KeyStore.getDefaultType());
        ts.load(null, null);
        int i = 0;
        for (Certificate c : certificates(ca)) {
          ts.setCertificateEntry("ca" + i++, c);
        }
        tmf.init(ts);
      }
      KeyManagerFactory kmf = null;
      if (cert != null) {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        char[] pass = new char[0];
        ks.setKeyEntry("client", privateKey(key), pass, certificates(cert).toArray(new Certificate[0]));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return new NoDelayTls(ctx.getSocketFactory());
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException("broker.tls: " + e.getMessage(), e);
    }
  }

  private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new ConfigException("broker.tls: no certificate in " + pem);
      }
      return certs;
    }
  }

  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = new String(Files.readAllBytes(pem), StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    int a = text.indexOf(begin);
    int b = text.indexOf("-----END PRIVATE KEY-----");
    if (a < 0 || b < a) {
      throw new ConfigException("broker.tls.keyFile " + pem
          + " must hold an unencrypted PKCS#8 key (BEGIN PRIVATE KEY); convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key8.pem");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(a + begin.length(), b));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new ConfigException("broker.tls.keyFile " + pem + ": not an RSA, EC or Ed25519 key", last);
  }

  private static Socket noDelay(Socket s) throws IOException {
    s.setTcpNoDelay(true);
    return s;
  }

  private static final class NoDelay extends SocketFactory {
    private final SocketFactory d;

    NoDelay(SocketFactory d) {
      this.d = d;
    }

    @Override
    public Socket createSocket() throws IOException {
      return noDelay(d.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return noDelay(d.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return noDelay(d.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return noDelay(d.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return noDelay(d.createSocket(address, port, localAddress, localPort));
    }
  }

  private static final class NoDelayTls extends SSLSocketFactory {
    private final SSLSocketFactory d;

    NoDelayTls(SSLSocketFactory d) {
      this.d = d;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return d.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return d.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return noDelay(d.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
      return noDelay(d.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return noDelay(d.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return noDelay(d.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return noDelay(d.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return noDelay(d.createSocket(address, port, localAddress, localPort));
    }
  }
}
