package dev.tandem.relay.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.model.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {

  @Test
  void stack_mixedLengths_padsToLongestWithPadValue() {
    List<Tensor> a = Collections.singletonList(Tensor.ofLongs("ids", new long[] {1, 2}, 1, 2));
    List<Tensor> b = Collections.singletonList(Tensor.ofLongs("ids", new long[] {3, 4, 5, 6}, 1, 4));
    List<Tensor> c = Collections.singletonList(Tensor.ofLongs("ids", new long[] {7, 8, 9, 10, 11, 12}, 2, 3));
    Tensor stacked = Batches.stack(Arrays.asList(a, b, c), new double[] {-1}).get(0);
    assertThat(stacked.shape()).containsExactly(4, 4);
    assertThat(stacked.toLongArray()).containsExactly(
        1, 2, -1, -1,
        3, 4, 5, 6,
        7, 8, 9, -1,
        10, 11, 12, -1);
  }

  @Test
  void stack_rank3Float_padsMiddleDimension() {
    List<Tensor> a = Collections.singletonList(Tensor.ofFloats("x", new float[] {1, 2}, 1, 1, 2));
    List<Tensor> b = Collections.singletonList(Tensor.ofFloats("x", new float[] {3, 4, 5, 6}, 1, 2, 2));
    Tensor stacked = Batches.stack(Arrays.asList(a, b), new double[] {0.5}).get(0);
    assertThat(stacked.shape()).containsExactly(2, 2, 2);
    assertThat(stacked.toFloatArray()).containsExactly(1, 2, 0.5f, 0.5f, 3, 4, 5, 6);
  }

  @Test
  void split_byRowCounts_returnsEachRequestsRows() {
    Tensor out = Tensor.ofFloats("y", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
    Tensor scalar = Tensor.ofFloats("s", new float[] {9}, 1);
    List<List<Tensor>> parts = Batches.split(Arrays.asList(out, scalar), new long[] {1, 3});
    assertThat(parts.get(0).get(0).shape()).containsExactly(1, 2);
    assertThat(parts.get(0).get(0).toFloatArray()).containsExactly(1, 2);
    assertThat(parts.get(1).get(0).shape()).containsExactly(3, 2);
    assertThat(parts.get(1).get(0).toFloatArray()).containsExactly(3, 4, 5, 6, 7, 8);
    assertThat(parts.get(1).get(1)).isEqualTo(scalar);
  }
}
