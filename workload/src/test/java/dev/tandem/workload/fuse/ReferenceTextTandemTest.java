package dev.tandem.workload.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.Decision;
import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.internal.TandemInternals;
import dev.tandem.runtime.internal.offload.OffloadRequest;
import dev.tandem.runtime.internal.offload.OffloadResult;
import dev.tandem.runtime.internal.offload.Offloader;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.text.TextInput;
import dev.tandem.workload.embed.Encoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem.infer(text)} on classifiers fused from the reference encoders (int8 MiniLM at 128
 * tokens on the edge, bge-small at 256 in the cloud, with seeded heads): the same answers as the
 * workload's own {@link FusedClassifier}, each model given its own tokenizer and budget.
 */
class ReferenceTextTandemTest {
  static final Policy ALWAYS_EDGE = Policy.builder().version(1).threshold(0.0).deadlineMs(5_000).build();
  static final Policy ALWAYS_CLOUD = Policy.builder().version(1).threshold(1.0).deadlineMs(60_000).build();
  static final List<String> TEXTS = List.of(
      "Congratulations! You have won a free cruise. Reply now to claim your prize.",
      "Hi Bob, the meeting moved to Thursday at ten; can you bring the budget notes?",
      "meeting notes for the quarterly budget review, ".repeat(60));

  @TempDir static Path dir;
  static Path edge;
  static Path cloud;
  static FusedClassifier edgeReference;
  static FusedClassifier cloudReference;

  @BeforeAll
  static void fuse() throws Exception {
    edge = dir.resolve("edge.onnx");
    cloud = dir.resolve("cloud.onnx");
    Files.write(edge, OnnxFusion.fuse(Encoder.MINILM_INT8.modelBytes(), Encoder.MINILM_INT8.pooling(),
        OnnxFusionTest.randomHead(1, Encoder.DIM, 20), Collections.emptyMap()));
    Files.write(cloud, OnnxFusion.fuse(Encoder.BGE_SMALL.modelBytes(), Encoder.BGE_SMALL.pooling(),
        OnnxFusionTest.randomHead(2, Encoder.DIM, 20), Collections.emptyMap()));
    edgeReference = new FusedClassifier(edge, Encoder.MINILM_INT8.textInput(128), 1);
    cloudReference = new FusedClassifier(cloud, Encoder.BGE_SMALL.textInput(256), 1);
  }

  @AfterAll
  static void close() {
    edgeReference.close();
    cloudReference.close();
  }

  Tandem.Builder tandem(Policy p, String spool) {
    return Tandem.builder().edgeModel(edge).intraOpThreads(1).model("spam").deviceId("dev-1").policy(p)
        .spool(Spool.builder(dir.resolve(spool)).build())
        .textInput(Encoder.MINILM_INT8.textInput(128))
        .cloudTextInput(Encoder.BGE_SMALL.textInput(256));
  }

  @Test
  void inferText_onTheEdge_answersAsTheFusedEdgeClassifier() {
    try (Tandem t = tandem(ALWAYS_EDGE, "edge-spool").build()) {
      for (String text : TEXTS) {
        Decision d = t.infer(text);
        assertThat(d.route()).isEqualTo(Route.EDGE);
        assertThat(d.output().get(0).toFloatArray()).containsExactly(edgeReference.probabilities(text));
      }
    }
  }

  @Test
  void inferText_offloaded_theCloudModelReadsItsOwnTokensUpTo256() {
    List<long[]> shapes = new CopyOnWriteArrayList<>();
    try (ModelSession cloudModel = ModelSession.builder().path(cloud).intraOpThreads(1).build();
        Tandem t = TandemInternals.get().offloader(tandem(ALWAYS_CLOUD, "cloud-spool"), new Offloader() {
          @Override
          public CompletableFuture<OffloadResult> offload(OffloadRequest request) {
            shapes.add(request.inputs().get(0).shape());
            List<Tensor> out = cloudModel.run(request.inputs());
            return CompletableFuture.completedFuture(OffloadResult.builder(OffloadStatus.OK).outputs(out)
                .roundTripMs(1).relayId("in-process").modelVersion("1").inferenceMs(1).queueMs(0).batchSize(1)
                .build());
          }

          @Override
          public boolean isAvailable() {
            return true;
          }

          @Override
          public void close() {}
        }).build()) {
      for (String text : TEXTS) {
        Decision d = t.infer(text);
        assertThat(d.route()).isEqualTo(Route.CLOUD);
        assertThat(d.output().get(0).toFloatArray()).containsExactly(cloudReference.probabilities(text));
      }
    }
    assertThat(shapes.get(2)).containsExactly(1, 256); // the long text, cut at the cloud's budget
    assertThat(shapes.get(0)[1]).isEqualTo(Encoder.BGE_SMALL.textInput(256).tensors(TEXTS.get(0)).get(0).shape()[1]);
  }
}
