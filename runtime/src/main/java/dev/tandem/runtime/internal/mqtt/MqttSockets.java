package dev.tandem.runtime.internal.mqtt;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Socket factories for MQTT clients: every socket they create has {@code TCP_NODELAY} set, and
 * TLS factories built from PEM files.
 *
 * <p>Why: Paho leaves Nagle's algorithm on. A small request written while the previous segment
 * is unacknowledged then waits for the peer's delayed ACK; we measured 44 ms stalls on loopback,
 * more than a whole offload budget. Paho takes a {@link SocketFactory} in its connection
 * options, so the fix is a factory that sets the option on each socket it creates. The relay and
 * the agent use the same factories.
 *
 * <p>All methods are thread-safe; the returned factories are too.
 */
public final class MqttSockets {
  private MqttSockets() {}

  /** A plain TCP factory whose sockets have {@code TCP_NODELAY} set. */
  public static SocketFactory noDelay() {
    return noDelay(SocketFactory.getDefault());
  }

  /** Wraps {@code delegate} so every socket it creates has {@code TCP_NODELAY} set. */
  public static SocketFactory noDelay(SocketFactory delegate) {
    Objects.requireNonNull(delegate, "delegate");
    if (delegate instanceof SSLSocketFactory) {
      return noDelay((SSLSocketFactory) delegate);
    }
    if (delegate instanceof NoDelaySocketFactory) {
      return delegate;
    }
    return new NoDelaySocketFactory(delegate);
  }

  /**
   * Wraps a TLS factory so every socket it creates has {@code TCP_NODELAY} set. The result is
   * still an {@link SSLSocketFactory}, as Paho requires for {@code ssl://} URLs.
   */
  public static SSLSocketFactory noDelay(SSLSocketFactory delegate) {
    Objects.requireNonNull(delegate, "delegate");
    if (delegate instanceof NoDelaySslSocketFactory) {
      return delegate;
    }
    return new NoDelaySslSocketFactory(delegate);
  }

  /**
   * A TLS factory (with {@code TCP_NODELAY}) that trusts the CA certificates in a PEM file and,
   * when both are given, presents a client certificate.
   *
   * @param caPem PEM file with one or more CA certificates, or {@code null} to trust the
   *     platform's default trust store (a broker with a publicly issued certificate)
   * @param clientCertPem PEM client certificate (chain), or {@code null} for no client certificate
   * @param clientKeyPem PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY}; RSA or EC) for the
   *     client certificate, or {@code null} (Ed25519 too where the platform supports it).
   *     Convert a PKCS#1 key with
   *     {@code openssl pkcs8 -topk8 -nocrypt}.
   * @throws IllegalArgumentException if a file cannot be read or parsed, naming the file
   */
  public static SSLSocketFactory tls(Path caPem, Path clientCertPem, Path clientKeyPem) {
    if ((clientCertPem == null) != (clientKeyPem == null)) {
      throw new IllegalArgumentException("clientCertPem and clientKeyPem must be given together");
    }
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (caPem == null) {
        tmf.init((KeyStore) null); // the platform's trust store
      } else {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (Certificate c : certificates(caPem)) {
          trust.setCertificateEntry("ca-" + i++, c);
        }
        tmf.init(trust);
      }

      KeyManagerFactory kmf = null;
      if (clientCertPem != null) {
        char[] pass = new char[0];
        KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
        keys.load(null, null);
        List<Certificate> chain = new ArrayList<>(certificates(clientCertPem));
        keys.setKeyEntry("client", privateKey(clientKeyPem), pass, chain.toArray(new Certificate[0]));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, pass);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
      return noDelay(ctx.getSocketFactory());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot build a TLS socket factory from "
          + (caPem == null ? "the default trust store" : caPem)
          + (clientCertPem == null ? "" : ", " + clientCertPem + ", " + clientKeyPem) + ": " + e.getMessage(), e);
    }
  }

  private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    byte[] bytes = Files.readAllBytes(pem);
    Collection<? extends Certificate> certs =
        CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(pem + " holds no certificate");
    }
    return certs;
  }

  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = new String(Files.readAllBytes(pem), StandardCharsets.US_ASCII);
    Matcher m = PKCS8.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException(pem + " holds no PKCS#8 'BEGIN PRIVATE KEY' block"
          + " (convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key8.pem)");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    // Ed25519 last: only newer platforms (Java 15+) know it; elsewhere it is one more miss.
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e; // not this algorithm; try the next
      }
    }
    throw new IllegalArgumentException(pem + " holds no RSA, EC or Ed25519 key", last);
  }

  private static Socket noDelay(Socket s) throws IOException {
    s.setTcpNoDelay(true);
    return s;
  }

  /** Plain sockets with TCP_NODELAY. */
  private static final class NoDelaySocketFactory extends SocketFactory {
    private final SocketFactory delegate;

    NoDelaySocketFactory(SocketFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    public Socket createSocket() throws IOException {
      return noDelay(delegate.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return noDelay(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return noDelay(delegate.createSocket(address, port, localAddress, localPort));
    }
  }

  /** TLS sockets with TCP_NODELAY. */
  private static final class NoDelaySslSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    NoDelaySslSocketFactory(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return noDelay(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
      return noDelay(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return noDelay(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return noDelay(delegate.createSocket(address, port, localAddress, localPort));
    }
  }
}
