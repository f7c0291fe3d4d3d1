package dev.tandem.sample.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** The build's outputs and jars that the D8 and R8 tests read, as the POM passes them. */
public final class BuildPaths {
  private BuildPaths() {}

  /** The sample's compiled classes. */
  public static Path sampleClasses() {
    return path("tandem.sample.classes");
  }

  /** The tests' compiled classes. */
  public static Path testClasses() {
    return path("tandem.test.classes");
  }

  /** android-all (the Android API the app compiles against). */
  public static Path androidJar() {
    return path("tandem.android.jar");
  }

  /** The desktop ONNX Runtime jar (the app's onnxruntime-android has the same API). */
  public static Path onnxRuntimeJar() {
    return path("tandem.onnxruntime.jar");
  }

  /** target/ of this module. */
  public static Path buildDir() {
    return path("tandem.build.dir");
  }

  /** The runtime's classpath: tandem-runtime (a jar, or its classes folder in a reactor build), Paho, Gson, SLF4J. */
  public static List<Path> runtimeClasspath() {
    try {
      String cp = new String(Files.readAllBytes(path("tandem.runtime.classpath")), StandardCharsets.UTF_8).trim();
      List<Path> out = new ArrayList<>();
      for (String s : cp.split(java.io.File.pathSeparator)) {
        if (!s.isEmpty()) {
          out.add(Paths.get(s));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code p} itself when it is a jar, else its files zipped into {@code dir} (D8 and R8 read archives). */
  public static Path asJar(Path p, Path dir) throws IOException {
    if (Files.isRegularFile(p)) {
      return p;
    }
    Files.createDirectories(dir);
    Path jar = dir.resolve(p.getParent().getParent().getFileName() + "-" + p.getFileName() + ".jar");
    try (OutputStream os = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(os);
        Stream<Path> files = Files.walk(p)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        zip.putNextEntry(new ZipEntry(p.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, zip);
        zip.closeEntry();
      }
    }
    return jar;
  }

  private static Path path(String property) {
    String v = System.getProperty(property);
    if (v == null || v.isEmpty() || v.startsWith("${")) {
      throw new IllegalStateException("system property " + property + " is not set: run the test through Maven "
          + "(./mvnw -pl android-sample -am test)");
    }
    return Paths.get(v);
  }
}
