package dev.tandem.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.android.tools.r8.CompilationMode;
import com.android.tools.r8.D8;
import com.android.tools.r8.D8Command;
import com.android.tools.r8.Diagnostic;
import com.android.tools.r8.DiagnosticsHandler;
import com.android.tools.r8.JdkClassFileProvider;
import com.android.tools.r8.OutputMode;
import dev.tandem.sample.testing.BuildPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * D8 (Android's dexer, from Maven Central) turns the sample, the runtime and their dependencies
 * into dex for API 26: bytecode Android cannot run, and references to classes that neither
 * Android nor the app has, are caught here, not on a phone.
 */
class D8DexTest {

  @Test
  void d8_sampleRuntimeAndDependencies_dexAtMinApi26WithoutErrors() throws Exception {
    Path work = BuildPaths.buildDir().resolve("d8");
    Path out = Files.createDirectories(work.resolve("dex"));
    try (Stream<Path> old = Files.list(out)) {
      for (Path p : (Iterable<Path>) old::iterator) {
        Files.delete(p);
      }
    }
    List<Path> program = new ArrayList<>();
    program.add(BuildPaths.asJar(BuildPaths.sampleClasses(), work));
    for (Path p : BuildPaths.runtimeClasspath()) {
      program.add(BuildPaths.asJar(p, work));
    }
    Collecting diagnostics = new Collecting();
    D8.run(D8Command.builder(diagnostics)
        .addProgramFiles(program)
        .addLibraryFiles(BuildPaths.androidJar(), BuildPaths.onnxRuntimeJar())
        // android-all leaves java.* to the JVM it runs on; the API 26 check of java.* is animal-sniffer's.
        .addLibraryResourceProvider(JdkClassFileProvider.fromSystemJdk())
        .setMinApiLevel(26)
        .setMode(CompilationMode.RELEASE)
        .setOutput(out, OutputMode.DexIndexed)
        .build());

    assertThat(diagnostics.errors).as("D8 errors").isEmpty();
    assertThat(diagnostics.warnings).as("D8 warnings").isEmpty();
    List<String> dex;
    try (Stream<Path> files = Files.list(out)) {
      dex = files.map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
    assertThat(dex).contains("classes.dex");
    assertThat(program).anySatisfy(p -> assertThat(p.toString()).contains("paho"));
    assertThat(program).anySatisfy(p -> assertThat(p.toString()).contains("gson"));
  }

  static final class Collecting implements DiagnosticsHandler {
    final List<String> errors = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();

    @Override
    public void error(Diagnostic d) {
      errors.add(describe(d));
    }

    @Override
    public void warning(Diagnostic d) {
      warnings.add(describe(d));
    }

    @Override
    public void info(Diagnostic d) {
      // Informational only (e.g. which desugaring applied).
    }

    static String describe(Diagnostic d) {
      return d.getOrigin() + ": " + d.getDiagnosticMessage();
    }
  }
}
