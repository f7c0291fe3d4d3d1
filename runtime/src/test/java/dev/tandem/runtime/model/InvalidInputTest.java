package dev.tandem.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tandem.runtime.testing.TinyModels;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every kind of bad input gives {@link InvalidInputException} with an exact message. */
class InvalidInputTest {
  private static ModelSession classifier;
  private static ModelSession int64;

  @BeforeAll
  static void load() {
    classifier = ModelSession.builder().bytes(TinyModels.classifier()).intraOpThreads(1).build();
    int64 = ModelSession.builder().bytes(TinyModels.int64Doubler()).intraOpThreads(1).build();
  }

  @AfterAll
  static void close() {
    classifier.close();
    int64.close();
  }

  private static InvalidInputException rejected(ModelSession session, List<Tensor> inputs) {
    return catchThrowableOfType(InvalidInputException.class, () -> session.run(inputs));
  }

  @Test
  void run_wrongElementType_namesInputGivenAndExpected() {
    InvalidInputException e = rejected(int64, Inputs.builder().addInt32("ids", new int[] {1, 2, 3, 4}, 1, 4).build());
    assertThat(e.inputName()).isEqualTo("ids");
    assertThat(e).hasMessage("input 'ids': given int32[1, 4], the model expects int64[1, 4]: element type int32 is not int64");
  }

  @Test
  void run_wrongRank_namesInputGivenAndExpected() {
    InvalidInputException e = rejected(classifier, Inputs.builder().addFloat32("features", new float[] {1, 2, 3, 4}).build());
    assertThat(e.inputName()).isEqualTo("features");
    assertThat(e).hasMessage("input 'features': given float32[4], the model expects float32[-1, 4]: rank 1 is not 2");
  }

  @Test
  void run_wrongFixedDimension_namesTheDimension() {
    InvalidInputException e = rejected(classifier, Inputs.builder().addFloat32("features", new float[6], 2, 3).build());
    assertThat(e).hasMessage("input 'features': given float32[2, 3], the model expects float32[-1, 4]: dimension 1 is 3, not 4");
    InvalidInputException first = rejected(int64, Inputs.builder().addInt64("ids", new long[8], 2, 4).build());
    assertThat(first).hasMessage("input 'ids': given int64[2, 4], the model expects int64[1, 4]: dimension 0 is 2, not 1");
  }

  @Test
  void run_dynamicDimension_acceptsAnySize() {
    assertThat(classifier.run(Inputs.builder().addFloat32("features", new float[12], 3, 4).build()).get(0).shape())
        .containsExactly(3, 3);
  }

  @Test
  void run_unknownInput_listsTheModelsInputs() {
    InvalidInputException e = rejected(classifier, Arrays.asList(
        Tensor.ofFloats("features", new float[4], 1, 4), Tensor.ofFloats("extra", new float[1], 1)));
    assertThat(e.inputName()).isEqualTo("extra");
    assertThat(e).hasMessage(
        "input 'extra': given float32[1], but the model has no such input; it expects 'features' float32[-1, 4]");
  }

  @Test
  void run_missingInput_namesWhatTheModelExpects() {
    InvalidInputException e = rejected(classifier, Collections.<Tensor>emptyList());
    assertThat(e.inputName()).isEqualTo("features");
    assertThat(e).hasMessage("input 'features': missing; the model expects float32[-1, 4]");
  }

  @Test
  void run_repeatedInput_isRejected() {
    Tensor t = Tensor.ofLongs("ids", new long[4], 1, 4);
    InvalidInputException e = rejected(int64, Arrays.asList(t, t));
    assertThat(e).hasMessage("input 'ids': given more than once; the model expects it once as int64[1, 4]");
  }

  @Test
  void run_afterRejection_sessionStillWorks() {
    rejected(int64, Collections.<Tensor>emptyList());
    assertThat(int64.run(Inputs.builder().addInt64("ids", new long[] {1, 2, 3, 4}, 1, 4).build()).get(1).toLongArray())
        .containsExactly(10);
  }
}
