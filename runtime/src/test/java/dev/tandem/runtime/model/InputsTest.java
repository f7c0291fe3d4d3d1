package dev.tandem.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputsTest {
  @Test
  void build_typedValues_givesLittleEndianTensorsInOrder() {
    List<Tensor> in = Inputs.builder()
        .addInt64("a", new long[] {1, 2}, 1, 2)
        .addFloat32("b", new float[] {0.5f})
        .addUint8("c", new byte[] {(byte) 200}, 1, 1)
        .build();
    assertThat(in).extracting(Tensor::name).containsExactly("a", "b", "c");
    assertThat(in.get(0).toByteArray()).containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0);
    assertThat(in.get(1).shape()).containsExactly(1);
    assertThat(in.get(2).type()).isEqualTo(ElementType.UINT8);
  }

  @Test
  void addDirect_bigEndianBuffer_readsValuesInTheBuffersOrder() {
    ByteBuffer big = ByteBuffer.allocateDirect(8).order(ByteOrder.BIG_ENDIAN);
    big.putInt(7).putInt(-1);
    ((java.nio.Buffer) big).flip();
    Tensor t = Inputs.builder().addDirect("x", ElementType.INT32, big, 2).build().get(0);
    assertThat(t.toIntArray()).containsExactly(7, -1);
    assertThat(big.position()).isZero();
  }

  @Test
  void add_sameNameTwice_failsFast() {
    assertThatThrownBy(() -> Inputs.builder().addInt64("a", new long[1]).addInt32("a", new int[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input 'a' added twice");
  }

  @Test
  void add_shapeNotFittingValues_failsFast() {
    assertThatThrownBy(() -> Inputs.builder().addFloat32("f", new float[3], 1, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tensor 'f': 3 values given, shape [1, 4] holds 4");
  }
}
