package dev.tandem.runtime.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tandem.runtime.model.Inputs;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.testing.TinyModels;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationScorerTest {
  private static List<Tensor> row(String name, float... scores) {
    return Collections.singletonList(Tensor.ofFloats(name, scores, 1, scores.length));
  }

  @Test
  void score_probabilities_givesTop1MaxProbMarginEntropy() {
    Signals s = ClassificationScorer.firstOutput().probabilities().score(row("p", 0.1f, 0.7f, 0.2f));
    assertThat(s.top1()).isEqualTo(1);
    assertThat(s.maxProb()).isCloseTo(0.7, within(1e-6));
    assertThat(s.margin()).isCloseTo(0.5, within(1e-6));
    double h = -(0.1 * Math.log(0.1) + 0.7 * Math.log(0.7) + 0.2 * Math.log(0.2));
    assertThat(s.entropy()).isCloseTo(h, within(1e-6));
  }

  @Test
  void score_logitsWithSoftmaxOn_appliesSoftmax() {
    Signals s = ClassificationScorer.firstOutput().logits().score(row("l", 0f, (float) Math.log(3)));
    assertThat(s.probabilities()).containsExactly(new float[] {0.25f, 0.75f}, within(1e-6f));
    assertThat(s.margin()).isCloseTo(0.5, within(1e-6));
  }

  @Test
  void score_auto_detectsLogitsAndProbabilities() {
    ClassificationScorer auto = ClassificationScorer.firstOutput();
    assertThat(auto.score(row("x", 0.25f, 0.75f)).probabilities()).containsExactly(0.25f, 0.75f);
    // Non-negative but not summing to 1: logits.
    assertThat(auto.score(row("x", 0f, (float) Math.log(3))).maxProb()).isCloseTo(0.75, within(1e-6));
    assertThat(auto.score(row("x", -2f, 3f, 1f)).top1()).isEqualTo(1);
  }

  @Test
  void score_singleScore_isBinaryPositiveClass() {
    ClassificationScorer auto = ClassificationScorer.firstOutput();
    assertThat(auto.score(row("p", 0.8f)).probabilities()).containsExactly(new float[] {0.2f, 0.8f}, within(1e-6f));
    assertThat(auto.score(row("p", 0f)).probabilities()).containsExactly(1f, 0f);
    // A logit outside [0, 1] goes through the sigmoid.
    assertThat(auto.score(row("p", 2f)).maxProb()).isCloseTo(1 / (1 + Math.exp(-2)), within(1e-6));
  }

  @Test
  void score_namedOutputOfTinyClassifier_matchesLogitSoftmax() {
    try (ModelSession session = ModelSession.builder().bytes(TinyModels.classifier()).intraOpThreads(1).build()) {
      List<Tensor> out = session.run(Inputs.builder().addFloat32("features", new float[] {1, 2, 3, 4}, 1, 4).build());
      Signals fromProbs = ClassificationScorer.output("probabilities").probabilities().score(out);
      Signals fromLogits = ClassificationScorer.output("logits").score(out);
      assertThat(fromLogits.top1()).isEqualTo(1).isEqualTo(fromProbs.top1());
      assertThat(fromLogits.maxProb()).isCloseTo(fromProbs.maxProb(), within(1e-6));
      assertThat(fromLogits.margin()).isCloseTo(fromProbs.margin(), within(1e-6));
      assertThat(fromLogits.entropy()).isCloseTo(fromProbs.entropy(), within(1e-6));
      double z = Math.exp(5) + Math.exp(6.5) + Math.exp(6);
      assertThat(fromLogits.margin()).isCloseTo((Math.exp(6.5) - Math.exp(6)) / z, within(1e-6));
    }
  }

  @Test
  void score_badOutputs_failNamingTheProblem() {
    ClassificationScorer named = ClassificationScorer.output("probs");
    assertThatThrownBy(() -> named.score(row("logits", 1f, 2f)))
        .hasMessage("no output 'probs' to score: the outputs are [logits]");
    assertThatThrownBy(() -> ClassificationScorer.firstOutput().score(
        Collections.singletonList(Tensor.ofFloats("p", new float[4], 2, 2))))
        .hasMessage("output 'p' has shape [2, 2]: expected one row of class scores, [C] or [1, C]");
    assertThatThrownBy(() -> ClassificationScorer.firstOutput().score(
        Collections.singletonList(Tensor.ofLongs("ids", new long[2], 1, 2))))
        .hasMessage("output 'ids' is int64: a classification output must be float32");
    assertThatThrownBy(() -> ClassificationScorer.firstOutput().score(row("p", Float.NaN, 1f)))
        .hasMessage("output 'p' score 0 is NaN: expected finite scores");
    assertThatThrownBy(() -> ClassificationScorer.firstOutput().score(Collections.<Tensor>emptyList()))
        .hasMessage("no outputs to score");
  }
}
