package dev.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.testing.LocalModelOffloader;
import dev.tandem.runtime.testing.ReferenceModels;
import dev.tandem.runtime.testing.ReplayCheck;
import dev.tandem.runtime.testing.TinyModels;
import dev.tandem.runtime.text.TextInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem.infer(text)} with the reference models' real WordPiece tokenizer: the edge model
 * reads 128 tokens, the cloud model its own 256, built only when the text is offloaded.
 */
class TandemTextTest {
  static final Policy ALWAYS_EDGE = Policy.builder().version(1).threshold(0.0).deadlineMs(2000).build();
  static final Policy ALWAYS_CLOUD = Policy.builder().version(1).threshold(1.0).deadlineMs(5000).build();
  static final String SHORT = "Win a free cruise! Reply now to claim your prize.";

  static TextInput text128;
  static byte[] edgeModel;
  static byte[] cloudModel;

  @TempDir Path dir;
  private final List<Policy> policies = new ArrayList<>();

  @BeforeAll
  static void models() {
    text128 = ReferenceModels.miniLmText(128);
    // The edge model declares no token_type_ids (as some BERT exports do); the cloud's does.
    edgeModel = TinyModels.textClassifier(text128.vocabSize(), 1, false);
    cloudModel = TinyModels.textClassifier(text128.vocabSize(), 2, true);
  }

  static String longText() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      sb.append("meeting notes for the quarterly budget review ");
    }
    return sb.toString();
  }

  Tandem.Builder tandem(Policy p) {
    policies.add(p);
    return Tandem.builder().edgeModel(edgeModel).intraOpThreads(1).model("spam").deviceId("dev-1")
        .policy(p).spool(Spool.builder(dir.resolve("spool")).build()).random(new Random(3))
        .textInput(text128);
  }

  @AfterEach
  void everyDecisionReplays() {
    if (Files.exists(dir.resolve("spool"))) {
      ReplayCheck.assertEveryDecisionReplays(dir.resolve("spool"), policies.toArray(new Policy[0]));
    }
  }

  DecisionRecord onlyDecision() {
    List<DecisionRecord> d = Spool.readAll(dir.resolve("spool")).records().stream()
        .filter(r -> r instanceof DecisionRecord).map(r -> (DecisionRecord) r).collect(Collectors.toList());
    assertThat(d).hasSize(1);
    return d.get(0);
  }

  static long[] inputShape(Decision d) {
    return d.output().stream().filter(t -> t.name().equals(TinyModels.INPUT_SHAPE)).findFirst().get().toLongArray();
  }

  @Test
  void inferText_onTheEdge_givesTheModelsAnswerToTheTokenizedText() {
    Decision d;
    try (Tandem t = tandem(ALWAYS_EDGE).build()) {
      d = t.infer(SHORT);
    }
    List<Tensor> expected;
    try (ModelSession bare = ModelSession.builder().bytes(edgeModel).intraOpThreads(1).build()) {
      List<Tensor> in = new ArrayList<>();
      for (Tensor x : text128.tensors(SHORT)) {
        if (!x.name().equals("token_type_ids")) {
          in.add(x);
        }
      }
      expected = bare.run(in);
    }
    assertThat(d.route()).isEqualTo(Route.EDGE);
    assertThat(d.output().get(0).toFloatArray()).containsExactly(expected.get(0).toFloatArray());
    assertThat(inputShape(d)).containsExactly(1, (int) text128.tensors(SHORT).get(0).shape()[1]);
  }

  @Test
  void inferText_longTextOnTheEdge_isTruncatedToTheEdgeBudget() {
    Decision d;
    try (Tandem t = tandem(ALWAYS_EDGE).build()) {
      d = t.infer(longText());
    }
    assertThat(inputShape(d)).containsExactly(1, 128);
  }

  @Test
  void inferText_longTextOffloaded_cloudGetsItsOwnTokensUpToItsBudget() {
    LocalModelOffloader cloud = new LocalModelOffloader(cloudModel);
    Decision d;
    try (Tandem t = tandem(ALWAYS_CLOUD).offloader(cloud).cloudTextInput(text128.withMaxTokens(256)).build()) {
      d = t.infer(longText());
    }
    assertThat(d.route()).isEqualTo(Route.CLOUD);
    assertThat(inputShape(d)).containsExactly(1, 256);
    DecisionRecord r = onlyDecision();
    // The edge truncated the text: the policy assumed the cloud's whole budget, three int64 tensors.
    assertThat(r.context().payloadBytes()).isEqualTo(256 * 3 * 8);
    assertThat(r.bytesUp()).isGreaterThanOrEqualTo(256 * 3 * 8);
  }

  @Test
  void inferText_shortTextOffloaded_policySeesTheCloudInputsExactSize() {
    LocalModelOffloader cloud = new LocalModelOffloader(cloudModel);
    Decision d;
    int n = (int) text128.withMaxTokens(256).tensors(SHORT).get(0).shape()[1];
    try (Tandem t = tandem(ALWAYS_CLOUD).offloader(cloud).cloudTextInput(text128.withMaxTokens(256)).build()) {
      d = t.infer(SHORT);
    }
    assertThat(d.route()).isEqualTo(Route.CLOUD);
    assertThat(inputShape(d)).containsExactly(1, n);
    assertThat(onlyDecision().context().payloadBytes()).isEqualTo(n * 3 * 8);
  }

  @Test
  void inferText_withoutACloudTextInput_cloudGetsTheEdgesTokens() {
    LocalModelOffloader cloud = new LocalModelOffloader(TinyModels.textClassifier(text128.vocabSize(), 2, false));
    Decision d;
    try (Tandem t = tandem(ALWAYS_CLOUD).offloader(cloud).build()) {
      d = t.infer(longText());
    }
    assertThat(d.route()).isEqualTo(Route.CLOUD);
    assertThat(inputShape(d)).containsExactly(1, 128);
    // The edge model's two tensors (it declares no token_type_ids).
    assertThat(onlyDecision().context().payloadBytes()).isEqualTo(128 * 2 * 8);
  }

  @Test
  void inferTextAsync_answersLikeInfer() throws Exception {
    Decision sync;
    Decision async;
    try (Tandem t = tandem(ALWAYS_EDGE).build()) {
      sync = t.infer(SHORT);
      async = t.inferAsync(SHORT).get(30, TimeUnit.SECONDS);
    }
    assertThat(async.output().get(0).toFloatArray()).containsExactly(sync.output().get(0).toFloatArray());
    assertThat(async.id()).isEqualTo("dev-1:2");
  }

  @Test
  void inferText_withoutATextInput_saysWhatToGive() {
    policies.add(ALWAYS_EDGE);
    try (Tandem t = Tandem.builder().edgeModel(edgeModel).model("spam").deviceId("dev-1").policy(ALWAYS_EDGE)
        .spool(Spool.builder(dir.resolve("spool")).build()).build()) {
      assertThatThrownBy(() -> t.infer(SHORT)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("textInput");
    }
  }

  @Test
  void build_textInputForAModelWithoutInputIds_namesTheModelsInputs() {
    Tandem.Builder b = Tandem.builder().edgeModel(TinyModels.classifier()).model("spam").deviceId("dev-1")
        .policy(ALWAYS_EDGE).spool(Spool.builder(dir.resolve("spool")).build()).textInput(text128);
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("input_ids").hasMessageContaining(TinyModels.FEATURES);
  }

  @Test
  void build_cloudTextInputWithoutTextInput_isRefused() {
    Tandem.Builder b = Tandem.builder().edgeModel(edgeModel).model("spam").deviceId("dev-1").policy(ALWAYS_EDGE)
        .spool(Spool.builder(dir.resolve("spool")).build()).cloudTextInput(text128.withMaxTokens(256));
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("textInput");
  }

  @Test
  void textInput_tooSmallABudget_isRefused() {
    assertThatThrownBy(() -> text128.withMaxTokens(2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 3");
    assertThat(text128.withMaxTokens(3).tensors(SHORT).get(0).shape()[1]).isEqualTo(3L);
    assertThat(text128.withMaxTokens(8).inputNames())
        .containsExactly("input_ids", "attention_mask", "token_type_ids");
  }
}
