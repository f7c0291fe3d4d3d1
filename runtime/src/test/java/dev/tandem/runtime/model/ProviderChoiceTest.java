package dev.tandem.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.tandem.runtime.testing.TinyModels;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Provider choice against the ONNX Runtime build on the test classpath. The CPU jar of ONNX
 * Runtime 1.29 carries only the CPU provider ({@code getAvailableProviders() == [CPU]}), so the
 * strict-refusal cases run only where a non-CPU provider is present (a GPU or Android build).
 */
class ProviderChoiceTest {
  private static final EnumSet<OrtProvider> AVAILABLE = OrtEnvironment.getAvailableProviders();

  private static List<ExecutionProvider> missing() {
    List<ExecutionProvider> missing = new ArrayList<>();
    for (ExecutionProvider p : ExecutionProvider.values()) {
      if (!AVAILABLE.contains(ModelSession.ortProvider(p))) {
        missing.add(p);
      }
    }
    return missing;
  }

  private static List<ExecutionProvider> presentAccelerators() {
    List<ExecutionProvider> present = new ArrayList<>();
    for (ExecutionProvider p : ExecutionProvider.values()) {
      if (p != ExecutionProvider.CPU && AVAILABLE.contains(ModelSession.ortProvider(p))) {
        present.add(p);
      }
    }
    return present;
  }

  private static String availableNames() {
    List<String> names = new ArrayList<>();
    for (OrtProvider p : AVAILABLE) {
      names.add(p.getName());
    }
    return String.join(", ", names);
  }

  @Test
  void build_preferenceStartingWithAbsentProviders_fallsToCpuAndRecordsEachReason() {
    List<ExecutionProvider> preference = missing();
    assumeThat(preference).as("this ONNX Runtime build has every provider").isNotEmpty();
    preference.add(ExecutionProvider.CPU);
    for (boolean strict : new boolean[] {false, true}) {
      try (ModelSession session = ModelSession.builder().bytes(TinyModels.classifier()).providers(preference)
          .strict(strict).intraOpThreads(1).build()) {
        assertThat(session.activeProvider()).isEqualTo(ExecutionProvider.CPU);
        List<ProviderAttempt> attempts = session.providerAttempts();
        assertThat(attempts).hasSize(preference.size());
        for (int i = 0; i < attempts.size() - 1; i++) {
          assertThat(attempts.get(i)).isEqualTo(ProviderAttempt.failed(preference.get(i),
              "not in this ONNX Runtime build (it has " + availableNames() + ")"));
        }
        assertThat(attempts.get(attempts.size() - 1)).isEqualTo(ProviderAttempt.active(ExecutionProvider.CPU));
        assertThat(session.run(Inputs.builder().addFloat32("features", new float[] {1, 2, 3, 4}, 1, 4).build())
            .get(1).toFloatArray()).containsExactly(5f, 6.5f, 6f);
      }
    }
  }

  @Test
  void build_noProviderAccepts_throwsWithEveryAttempt() {
    List<ExecutionProvider> preference = missing();
    assumeThat(preference).isNotEmpty();
    ModelLoadException e = catchThrowableOfType(ModelLoadException.class,
        () -> ModelSession.builder().bytes(TinyModels.classifier()).providers(preference).build());
    assertThat(e.attempts()).extracting(ProviderAttempt::provider).containsExactlyElementsOf(preference);
    assertThat(e.attempts()).noneMatch(ProviderAttempt::active);
    assertThat(e.getMessage()).startsWith("model ").contains("no execution provider of " + preference + " accepted it");
  }

  @Test
  void build_strict_presentProviderThatCannotTakeTheGraph_isFailedNotActive() {
    List<ExecutionProvider> accelerators = presentAccelerators();
    assumeThat(accelerators).as("no accelerator provider in this ONNX Runtime build: " + AVAILABLE).isNotEmpty();
    for (ExecutionProvider p : accelerators) {
      // Integer Add and ReduceSum: XNNPACK, NNAPI, CoreML and QNN take float graphs.
      try (ModelSession session = ModelSession.builder().bytes(TinyModels.int64Doubler())
          .providers(p, ExecutionProvider.CPU).strict(true).intraOpThreads(1).build()) {
        if (session.activeProvider() == p) {
          continue; // this provider takes integer graphs whole (e.g. CUDA): nothing to refuse
        }
        ProviderAttempt first = session.providerAttempts().get(0);
        assertThat(first.provider()).isEqualTo(p);
        assertThat(first.active()).isFalse();
        assertThat(first.reason()).startsWith("refused the graph: ");
        assertThat(session.activeProvider()).isEqualTo(ExecutionProvider.CPU);
      }
    }
  }
}
