package dev.tandem.runtime.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI for TLS tests, made with the JDK's {@code keytool} (no OpenSSL needed): a CA,
 * a server certificate for {@code 127.0.0.1}/{@code localhost} and a client certificate, each as
 * PEM files, keys as PKCS#8 ({@code BEGIN PRIVATE KEY}), which both Mosquitto and
 * {@code MqttSockets.tls} read. EC P-256 keys, valid for 30 days.
 */
public final class TestCertificates {
  private static final String PASS = "changeit";

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  private static TestCertificates shared;

  /**
   * One set of certificates per test JVM, under {@code tandem.test.tmpdir}, created on first use
   * (keytool takes a few seconds).
   */
  public static synchronized TestCertificates shared() {
    if (shared == null) {
      String tmp = System.getProperty("tandem.test.tmpdir", System.getProperty("java.io.tmpdir"));
      try {
        shared = create(Files.createTempDirectory(Paths.get(tmp), "test-pki-"));
      } catch (IOException e) {
        throw new IllegalStateException("cannot create a directory for test certificates under " + tmp, e);
      }
    }
    return shared;
  }

  /** Creates the CA, server and client certificates in {@code dir}; takes a few seconds. */
  public static TestCertificates create(Path dir) {
    TestCertificates c = new TestCertificates(dir);
    try {
      c.generate();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot create test certificates in " + dir + ": " + e, e);
    }
    return c;
  }

  public Path caPem() {
    return dir.resolve("ca.pem");
  }

  public Path serverCertPem() {
    return dir.resolve("server.pem");
  }

  public Path serverKeyPem() {
    return dir.resolve("server-key.pem");
  }

  public Path clientCertPem() {
    return dir.resolve("client.pem");
  }

  public Path clientKeyPem() {
    return dir.resolve("client-key.pem");
  }

  private void generate() throws IOException, GeneralSecurityException {
    if (Files.exists(caPem())) {
      return;
    }
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=Tandem Test CA", "-ext", "bc:c", "-validity", "30", "-keystore", store("ca"));
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store("ca"), "-file", caPem().toString());
    leaf("server", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost", "EKU=serverAuth");
    leaf("client", "CN=test-device", null, "EKU=clientAuth");
  }

  private void leaf(String name, String dname, String san, String eku) throws IOException, GeneralSecurityException {
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
        "-validity", "30", "-keystore", store(name));
    Path csr = dir.resolve(name + ".csr");
    keytool("-certreq", "-alias", name, "-keystore", store(name), "-file", csr.toString());
    List<String> gencert = new ArrayList<>(Arrays.asList("-gencert", "-alias", "ca", "-keystore", store("ca"),
        "-infile", csr.toString(), "-outfile", dir.resolve(name + ".pem").toString(), "-rfc", "-validity", "30",
        "-ext", eku));
    if (san != null) {
      gencert.add("-ext");
      gencert.add(san);
    }
    keytool(gencert.toArray(new String[0]));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(Paths.get(store(name)))) {
      ks.load(in, PASS.toCharArray());
    }
    Key key = ks.getKey(name, PASS.toCharArray());
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    Files.write(dir.resolve(name + "-key.pem"), pem.getBytes(StandardCharsets.US_ASCII));
  }

  private String store(String name) {
    return dir.resolve(name + ".p12").toString();
  }

  private static void keytool(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString());
    // A short-lived JVM: start fast rather than run fast.
    cmd.addAll(Arrays.asList("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"));
    cmd.addAll(Arrays.asList(args));
    cmd.addAll(Arrays.asList("-storetype", "PKCS12", "-storepass", PASS, "-keypass", PASS, "-noprompt"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      byte[] out = readAll(p.getInputStream());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool " + String.join(" ", args) + " failed: " + new String(out, StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running keytool", e);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    for (int n; (n = in.read(buf)) > 0; ) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
