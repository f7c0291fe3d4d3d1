package dev.tandem.workload.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.ModelInfo;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.workload.corpus.Message;
import dev.tandem.workload.embed.Embedder;
import dev.tandem.workload.embed.Encoder;
import dev.tandem.workload.embed.Pooling;
import dev.tandem.workload.head.Head;
import dev.tandem.workload.head.LogisticRegression;
import dev.tandem.workload.testing.CorpusFixture;
import dev.tandem.workload.testing.TinyEncoders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The fused graph equals the unfused pipeline (encoder run alone, pooling, normalisation and
 * head computed in Java) within {@link #TOLERANCE} on the spam probability.
 */
class OnnxFusionTest {
  /** Float32 pooling, normalisation and Gemm against double-precision Java: 1e-5 is ample. */
  static final double TOLERANCE = 1e-5;

  @TempDir Path dir;

  /** A head with seeded weights, scaled so that probabilities spread over (0, 1). */
  static Head randomHead(long seed, int dim, double scale) {
    Random r = new Random(seed);
    double[] w = new double[dim];
    for (int i = 0; i < dim; i++) {
      w[i] = r.nextGaussian() * scale;
    }
    return new Head(w, 0.1, 1e-3);
  }

  @ParameterizedTest(name = "{0} at {1} tokens")
  @CsvSource({"MINILM_INT8, 128", "BGE_SMALL, 256"})
  void fuse_realEncoder_equalsUnfusedPipelineOnCorpusMessages(Encoder encoder, int maxTokens) throws Exception {
    List<Message> sample = new ArrayList<>(CorpusFixture.corpus().sample(10, 11).messages());
    List<float[]> features = new ArrayList<>();
    try (Embedder unfused = new Embedder(encoder, maxTokens, 1)) {
      for (Message m : sample) {
        features.add(unfused.embed(m.text()));
      }
    }
    // A real head, strongly regularised so its probabilities are not saturated.
    int[] labels = sample.stream().mapToInt(m -> m.label().index()).toArray();
    Head head = LogisticRegression.fit(features, labels, 1e-2);
    Path fused = dir.resolve("fused.onnx");
    Files.write(fused, OnnxFusion.fuse(encoder.modelBytes(), encoder.pooling(), head, Collections.emptyMap()));
    double maxDiff = 0;
    List<Double> probabilities = new ArrayList<>();
    try (FusedClassifier classifier = new FusedClassifier(fused, encoder.textInput(maxTokens), 1)) {
      ModelInfo info = classifier.session().info();
      assertThat(info.inputs()).extracting(s -> s.name())
          .containsExactlyInAnyOrder("input_ids", "attention_mask", "token_type_ids");
      assertThat(info.outputs()).singleElement().satisfies(o -> {
        assertThat(o.name()).isEqualTo("probabilities");
        assertThat(o.type()).isEqualTo(ElementType.FLOAT32);
        assertThat(o.shape()).containsExactly(-1, 2);
      });
      for (int i = 0; i < sample.size(); i++) {
        double expected = head.probability(features.get(i));
        float[] p = classifier.probabilities(sample.get(i).text());
        assertThat(p[0] + p[1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        maxDiff = Math.max(maxDiff, Math.abs(expected - p[1]));
        probabilities.add(expected);
      }
    }
    assertThat(maxDiff).isLessThan(TOLERANCE);
    // The comparison means something only if the head's outputs are not all saturated.
    assertThat(probabilities).anySatisfy(p -> assertThat(p).isBetween(0.01, 0.99));
  }

  @ParameterizedTest(name = "opset {0}, {1} pooling")
  @CsvSource({"11, MEAN", "11, CLS", "13, MEAN", "13, CLS", "17, MEAN"})
  void fuse_tinyEncoder_matchesJavaPoolingAtEveryOpset(int opset, Pooling pooling) throws Exception {
    int dim = 6;
    byte[] encoder = TinyEncoders.embeddingLookup(opset, 50, dim, 5);
    Head head = randomHead(opset, dim, 2);
    byte[] fused = OnnxFusion.fuse(encoder, pooling, head, Collections.singletonMap("tandem.pooling", pooling.name()));
    assertThat(ModelProto.parseFrom(fused).getMetadataPropsList())
        .extracting(OnnxMl.StringStringEntryProto::getKey).contains("tandem.pooling");
    long[] ids = {1, 7, 3, 49, 0, 0};
    long[] mask = {1, 1, 1, 1, 0, 0}; // padded: mean pooling must ignore the last two
    try (ModelSession raw = ModelSession.builder().bytes(encoder).intraOpThreads(1).build();
        ModelSession s = ModelSession.builder().bytes(fused).intraOpThreads(1).build()) {
      List<Tensor> inputs = new ArrayList<>();
      inputs.add(Tensor.ofLongs("input_ids", ids, 1, ids.length));
      inputs.add(Tensor.ofLongs("attention_mask", mask, 1, ids.length));
      inputs.add(Tensor.ofLongs("token_type_ids", new long[ids.length], 1, ids.length));
      float[] hidden = raw.run(inputs).get(0).toFloatArray();
      double expected = head.probability(pooling.pool(hidden, mask, dim));
      float[] p = s.run(inputs).get(0).toFloatArray();
      assertThat((double) p[1]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
      assertThat(expected).isBetween(0.001, 0.999);
    }
  }

  @Test
  void fuse_headOfWrongWidth_throwsNamingBoth() throws Exception {
    byte[] encoder = TinyEncoders.embeddingLookup(13, 10, 4, 1);
    assertThatThrownBy(() -> OnnxFusion.fuse(encoder, Pooling.MEAN, randomHead(1, 5, 1), Collections.emptyMap()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hidden size 4").hasMessageContaining("5 weights");
    assertThatThrownBy(() -> OnnxFusion.fuse(new byte[] {1, 2, 3}, Pooling.MEAN, randomHead(1, 4, 1), Collections.emptyMap()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
