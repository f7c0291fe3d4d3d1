package dev.tandem.relay.serve;

import static dev.tandem.relay.testing.RelayTestModels.ATTENTION_MASK;
import static dev.tandem.relay.testing.RelayTestModels.INPUT_IDS;
import static dev.tandem.relay.testing.RelayTestModels.LOGITS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tandem.relay.broker.EmbeddedBroker;
import dev.tandem.relay.testing.RelayTestModels;
import dev.tandem.relay.testing.TestDevice;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched answers equal batch-1 answers on a model with a dynamic sequence dimension, for mixed
 * lengths padded in the batch. (The reference cloud model is a fused BERT-style classifier of
 * the same shape; this test uses a small masked-pooling model of that shape.)
 */
class RelayBatchingTest {
  static final Topics TOPICS = Topics.withPrefix("test/batch");

  @TempDir Path dir;

  @Test
  void batching_mixedLengths_equalsBatchOneResults() throws Exception {
    Path model = dir.resolve("pool.onnx");
    Files.write(model, RelayTestModels.maskedPoolClassifier());
    RelayConfig cfg = RelayConfig.builder()
        .relayId("relay-batch")
        .topicPrefix(TOPICS.prefix())
        .metrics("127.0.0.1", -1)
        .brokerUrl("tcp://unused:1")
        .addModel(ModelConfig.builder().name("pool").file(model).version("1")
            .providers(Collections.singletonList(ExecutionProvider.CPU)).intraOpThreads(1)
            .batchable(true).maxBatch(8).maxDelayMicros(1_000_000).padValue(INPUT_IDS, 0).padValue(ATTENTION_MASK, 0)
            .build())
        .build();
    Random random = new Random(42);
    List<List<Tensor>> requests = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      int len = 1 + random.nextInt(12);
      long[] ids = new long[len];
      long[] mask = new long[len];
      for (int j = 0; j < len; j++) {
        ids[j] = random.nextInt(RelayTestModels.VOCAB);
        mask[j] = 1;
      }
      requests.add(Arrays.asList(Tensor.ofLongs(INPUT_IDS, ids, 1, len), Tensor.ofLongs(ATTENTION_MASK, mask, 1, len)));
    }
    List<float[]> expected = new ArrayList<>();
    try (ModelSession bare = ModelSession.builder().path(model).providers(ExecutionProvider.CPU).intraOpThreads(1).build()) {
      for (List<Tensor> r : requests) {
        expected.add(bare.run(r).get(0).toFloatArray());
      }
    }
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Relay relay = new Relay(cfg.toBuilder().brokerUrl(broker.url()).build()).start();
        TestDevice a = new TestDevice(broker.url(), TOPICS, "dev-a");
        TestDevice b = new TestDevice(broker.url(), TOPICS, "dev-b")) {
      List<CompletableFuture<ReplyFrame>> replies = new ArrayList<>();
      for (int i = 0; i < requests.size(); i++) {
        replies.add((i % 2 == 0 ? a : b).request("pool", requests.get(i), 10_000, 1));
      }
      int maxBatch = 0;
      for (int i = 0; i < requests.size(); i++) {
        ReplyFrame r = replies.get(i).get(20, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(ReplyStatus.OK);
        Tensor logits = r.outputs().get(0);
        assertThat(logits.name()).isEqualTo(LOGITS);
        assertThat(logits.shape()).containsExactly(1, 3);
        float[] got = logits.toFloatArray();
        for (int k = 0; k < 3; k++) {
          assertThat(got[k]).as("request %d logit %d (batch of %d)", i, k, r.batchSize()).isCloseTo(expected.get(i)[k], within(1e-5f));
        }
        maxBatch = Math.max(maxBatch, r.batchSize());
      }
      // A 1 s gathering window: batches form however slowly a loaded machine sends the 24.
      assertThat(maxBatch).as("requests sent together were batched").isGreaterThan(1);
    }
  }
}
