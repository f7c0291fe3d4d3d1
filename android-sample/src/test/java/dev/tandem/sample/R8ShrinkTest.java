package dev.tandem.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.android.tools.r8.ClassFileConsumer;
import com.android.tools.r8.CompilationMode;
import com.android.tools.r8.JdkClassFileProvider;
import com.android.tools.r8.R8;
import com.android.tools.r8.R8Command;
import com.android.tools.r8.origin.Origin;
import dev.tandem.sample.shrink.ShrinkProbe;
import dev.tandem.sample.testing.BuildPaths;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * R8 shrinks and obfuscates the runtime and its dependencies as an app's release build would,
 * with only the keep rules the runtime ships in its jar and the app's own entry point kept; the
 * shrunk classes then parse a policy, encode and decode a decision record, round-trip frames and
 * run a Paho client exactly as the originals do.
 */
class R8ShrinkTest {
  static final String RULES = "META-INF/proguard/tandem-runtime.pro";

  @Test
  void r8_withTheRuntimesShippedRules_keepsWhatTheRuntimeNeeds() throws Exception {
    Path work = Files.createDirectories(BuildPaths.buildDir().resolve("r8"));
    List<Path> program = new ArrayList<>();
    for (Path p : BuildPaths.runtimeClasspath()) {
      program.add(withoutJarMetadata(BuildPaths.asJar(p, work), work));
    }
    program.add(probeJar(work));
    String shipped = shippedRules(BuildPaths.runtimeClasspath());
    Path shrunk = work.resolve("shrunk.jar");
    Files.deleteIfExists(shrunk);
    D8DexTest.Collecting diagnostics = new D8DexTest.Collecting();

    R8.run(R8Command.builder(diagnostics)
        .addProgramFiles(program)
        .addLibraryResourceProvider(JdkClassFileProvider.fromSystemJdk())
        .addLibraryFiles(BuildPaths.onnxRuntimeJar())
        .addProguardConfiguration(Arrays.asList(shipped.split("\n")), Origin.unknown())
        .addProguardConfiguration(Arrays.asList(
            "-keep class dev.tandem.sample.shrink.ShrinkProbe { public static java.lang.String run(); }"),
            Origin.unknown())
        .setMode(CompilationMode.RELEASE)
        .setProgramConsumer(new ClassFileConsumer.ArchiveConsumer(shrunk, true))
        .build());

    assertThat(diagnostics.errors).as("R8 errors").isEmpty();
    assertThat(diagnostics.warnings).as("R8 warnings").isEmpty();
    long inputBytes = 0;
    for (Path p : program) {
      inputBytes += Files.size(p);
    }
    assertThat(Files.size(shrunk)).as("shrunk jar vs its inputs").isLessThan(inputBytes / 2);

    String original = ShrinkProbe.run();
    String onShrunk;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {shrunk.toUri().toURL()},
        ClassLoader.getPlatformClassLoader())) {
      onShrunk = (String) loader.loadClass(ShrinkProbe.class.getName()).getMethod("run").invoke(null);
    }
    assertThat(original).doesNotContain("FAILED")
        .contains("policy 7 CASCADE true roundtrip=true")
        .contains("record phone-17:3 edge_fallback/timeout")
        .contains("stable=true")
        .contains("frames request=true reply=true OK")
        .contains("mqtt 32103");
    assertThat(onShrunk).isEqualTo(original);
  }

  /**
   * A copy of {@code jar} without its manifest, signature and Java 9 module descriptor, which
   * every jar has and an APK does not keep (R8 warns about each duplicate).
   */
  private static Path withoutJarMetadata(Path jar, Path work) throws IOException {
    Path out = work.resolve("program-" + jar.getFileName());
    try (ZipFile in = new ZipFile(jar.toFile());
        ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
      for (ZipEntry e : java.util.Collections.list(in.entries())) {
        String n = e.getName();
        if (e.isDirectory() || n.equals("META-INF/MANIFEST.MF") || n.endsWith("module-info.class")
            || n.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)")) {
          continue;
        }
        zip.putNextEntry(new ZipEntry(n));
        try (InputStream is = in.getInputStream(e)) {
          is.transferTo(zip);
        }
        zip.closeEntry();
      }
    }
    return out;
  }

  /** The probe's classes only: the app's code that R8 starts from. */
  private static Path probeJar(Path work) throws IOException {
    Path jar = work.resolve("probe.jar");
    Path dir = BuildPaths.testClasses().resolve("dev/tandem/sample/shrink");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar));
        java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().startsWith("ShrinkProbe"))::iterator) {
        zip.putNextEntry(new ZipEntry("dev/tandem/sample/shrink/" + f.getFileName()));
        Files.copy(f, zip);
        zip.closeEntry();
      }
    }
    return jar;
  }

  /** The rules file as the runtime's jar (or its classes folder, in a reactor build) carries it. */
  static String shippedRules(List<Path> classpath) throws IOException {
    for (Path p : classpath) {
      if (Files.isDirectory(p) && Files.isRegularFile(p.resolve(RULES))) {
        return new String(Files.readAllBytes(p.resolve(RULES)), StandardCharsets.UTF_8);
      }
      if (Files.isRegularFile(p)) {
        try (ZipFile z = new ZipFile(p.toFile())) {
          ZipEntry e = z.getEntry(RULES);
          if (e != null) {
            try (InputStream in = z.getInputStream(e)) {
              return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
          }
        }
      }
    }
    throw new AssertionError(RULES + " is in no entry of the runtime classpath " + classpath);
  }
}
