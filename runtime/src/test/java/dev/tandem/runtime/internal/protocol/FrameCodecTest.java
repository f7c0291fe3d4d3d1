package dev.tandem.runtime.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  private final FrameCodec codec = new FrameCodec();

  private static final String REQUEST_V2_HEADER =
      "{\"model\":\"spam\",\"budget_ms\":50,\"uplink_ms\":7,"
          + "\"inputs\":[{\"name\":\"x\",\"type\":\"float32\",\"shape\":[1,2],\"bytes\":8}]}";
  private static final String REQUEST_V1_HEADER =
      "{\"model\":\"spam\",\"budget_ms\":50,"
          + "\"inputs\":[{\"name\":\"x\",\"type\":\"float32\",\"shape\":[1,2],\"bytes\":8}]}";
  private static final String REPLY_OK_V2_HEADER =
      "{\"status\":\"ok\",\"message\":\"\",\"outputs\":["
          + "{\"name\":\"p\",\"type\":\"float32\",\"shape\":[2],\"bytes\":8},"
          + "{\"name\":\"ids\",\"type\":\"int64\",\"shape\":[1],\"bytes\":8}],"
          + "\"relay_id\":\"r1\",\"model_version\":\"m-3\",\"queue_ms\":1.5,\"inference_ms\":4,\"batch_size\":3}";
  private static final String REPLY_OK_V1_HEADER =
      "{\"status\":\"ok\",\"message\":\"\",\"outputs\":["
          + "{\"name\":\"p\",\"type\":\"float32\",\"shape\":[2],\"bytes\":8},"
          + "{\"name\":\"ids\",\"type\":\"int64\",\"shape\":[1],\"bytes\":8}],"
          + "\"relay_id\":\"r1\"}";
  private static final String REPLY_BUSY_HEADER =
      "{\"status\":\"busy\",\"message\":\"queue full\",\"outputs\":[],\"relay_id\":\"r1\","
          + "\"model_version\":\"\",\"queue_ms\":-1,\"inference_ms\":-1,\"batch_size\":-1}";

  /** 1.0f and -2.0f, little-endian. */
  private static final byte[] X_BYTES = {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0};
  /** 0.25f, 0.75f, then 7L, little-endian. */
  private static final byte[] OUT_BYTES = {0, 0, (byte) 0x80, 0x3e, 0, 0, 0x40, 0x3f, 7, 0, 0, 0, 0, 0, 0, 0};

  static RequestFrame request() {
    return RequestFrame.of("spam", 50, 7,
        Collections.singletonList(Tensor.ofFloats("x", new float[] {1f, -2f}, 1, 2)));
  }

  static ReplyFrame okReply() {
    return ReplyFrame.builder(ReplyStatus.OK)
        .outputs(Arrays.asList(Tensor.ofFloats("p", new float[] {0.25f, 0.75f}), Tensor.ofLongs("ids", new long[] {7})))
        .relayId("r1")
        .modelVersion("m-3")
        .queueMs(1.5)
        .inferenceMs(4)
        .batchSize(3)
        .build();
  }

  private static byte[] frame(int version, int headerLength, String header, byte[] tensors) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('T');
    out.write('N');
    out.write('D');
    out.write('M');
    out.write(version);
    out.write(0);
    out.write(0);
    out.write(0);
    out.write(headerLength);
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    assertThat(h).hasSize(headerLength);
    out.write(h, 0, h.length);
    out.write(tensors, 0, tensors.length);
    return out.toByteArray();
  }

  @Test
  void encodeRequest_v2_writesExpectedBytes() {
    byte[] expected = frame(2, 110, REQUEST_V2_HEADER, X_BYTES);
    assertThat(Arrays.copyOf(expected, 9)).containsExactly('T', 'N', 'D', 'M', 2, 0, 0, 0, 0x6e);
    assertThat(codec.encodeRequest(request())).containsExactly(expected);
    assertThat(codec.decodeRequest(expected)).isEqualTo(request());
  }

  @Test
  void encodeRequest_v1_dropsUplinkEstimate() {
    byte[] expected = frame(1, 96, REQUEST_V1_HEADER, X_BYTES);
    assertThat(codec.encodeRequest(request(), 1)).containsExactly(expected);
  }

  @Test
  void decodeRequest_v1_readsUplinkEstimateAsZero() {
    RequestFrame r = codec.decodeRequest(frame(1, 96, REQUEST_V1_HEADER, X_BYTES));
    assertThat(r.model()).isEqualTo("spam");
    assertThat(r.budgetMs()).isEqualTo(50);
    assertThat(r.uplinkEstimateMs()).isZero();
    assertThat(r.inputs().get(0).toFloatArray()).containsExactly(1f, -2f);
    assertThat(FrameCodec.version(frame(1, 96, REQUEST_V1_HEADER, X_BYTES))).isEqualTo(1);
  }

  @Test
  void encodeReply_ok_writesExpectedBytes() {
    byte[] expected = frame(2, 229, REPLY_OK_V2_HEADER, OUT_BYTES);
    assertThat(codec.encodeReply(okReply())).containsExactly(expected);
    ReplyFrame decoded = codec.decodeReply(expected);
    assertThat(decoded).isEqualTo(okReply());
    assertThat(decoded.outputs().get(0).toFloatArray()).containsExactly(0.25f, 0.75f);
    assertThat(decoded.outputs().get(1).toLongArray()).containsExactly(7L);
  }

  @Test
  void encodeReply_v1_dropsTimings() {
    byte[] expected = frame(1, 160, REPLY_OK_V1_HEADER, OUT_BYTES);
    assertThat(codec.encodeReply(okReply(), 1)).containsExactly(expected);
    ReplyFrame decoded = codec.decodeReply(expected);
    assertThat(decoded.status()).isEqualTo(ReplyStatus.OK);
    assertThat(decoded.relayId()).isEqualTo("r1");
    assertThat(decoded.modelVersion()).isEmpty();
    assertThat(decoded.queueMs()).isEqualTo(-1);
    assertThat(decoded.inferenceMs()).isEqualTo(-1);
    assertThat(decoded.batchSize()).isEqualTo(-1);
    assertThat(decoded.outputs()).isEqualTo(okReply().outputs());
  }

  @Test
  void encodeReply_busy_writesExpectedBytes() {
    ReplyFrame busy = ReplyFrame.builder(ReplyStatus.BUSY).message("queue full").relayId("r1").build();
    byte[] expected = frame(2, 136, REPLY_BUSY_HEADER, new byte[0]);
    assertThat(codec.encodeReply(busy)).containsExactly(expected);
    assertThat(codec.decodeReply(expected)).isEqualTo(busy);
  }

  @Test
  void reply_everyRelayStatus_roundTripsWithItsMessage() {
    for (ReplyStatus s : ReplyStatus.values()) {
      ReplyFrame r = ReplyFrame.builder(s).message("because " + s.wireName()).relayId("relay-a").build();
      byte[] bytes = codec.encodeReply(r);
      String header = new String(bytes, 9, bytes.length - 9, StandardCharsets.UTF_8);
      assertThat(header).startsWith("{\"status\":\"" + s.wireName() + "\",\"message\":\"because " + s.wireName() + "\"");
      assertThat(codec.decodeReply(bytes)).isEqualTo(r);
    }
  }

  @Test
  void decodeReply_deviceSideStatus_isBadHeader() {
    String h = REPLY_BUSY_HEADER.replace("\"busy\"", "\"timeout\"");
    assertReason(() -> codec.decodeReply(frame(2, h.length(), h, new byte[0])), FrameException.Reason.BAD_HEADER);
    String u = REPLY_BUSY_HEADER.replace("\"busy\"", "\"sleepy\"");
    assertReason(() -> codec.decodeReply(frame(2, u.length(), u, new byte[0])), FrameException.Reason.BAD_HEADER);
  }

  @Test
  void decode_wrongMagic_isBadMagic() {
    byte[] f = codec.encodeRequest(request());
    f[0] = 'X';
    assertReason(() -> codec.decodeRequest(f), FrameException.Reason.BAD_MAGIC);
    assertReason(() -> codec.decodeRequest(new byte[] {'T', 'N'}), FrameException.Reason.BAD_MAGIC);
    assertReason(() -> codec.decodeRequest(new byte[0]), FrameException.Reason.BAD_MAGIC);
  }

  @Test
  void decode_shorterThanPreamble_isBadLength() {
    assertReason(() -> codec.decodeRequest(new byte[] {'T', 'N', 'D', 'M', 2, 0}), FrameException.Reason.BAD_LENGTH);
  }

  @Test
  void decode_unknownVersion_isUnsupportedVersion() {
    for (int v : new int[] {0, 3, 255}) {
      byte[] f = codec.encodeRequest(request());
      f[4] = (byte) v;
      assertReason(() -> codec.decodeRequest(f), FrameException.Reason.UNSUPPORTED_VERSION);
    }
  }

  @Test
  void decode_headerLongerThanFrame_isBadLengthBeforeAllocating() {
    byte[] f = codec.encodeRequest(request());
    f[8] = (byte) (f[8] + 50); // header claims 160 bytes; the frame holds 118 after the preamble
    assertReason(() -> codec.decodeRequest(f), FrameException.Reason.BAD_LENGTH);
  }

  @Test
  void decode_headerOverLimit_isTooLargeBeforeAllocating() {
    byte[] f = codec.encodeRequest(request());
    f[5] = (byte) 0xff; // header claims 4 GiB
    assertReason(() -> codec.decodeRequest(f), FrameException.Reason.TOO_LARGE);
    FrameCodec small = new FrameCodec(FrameLimits.builder().maxHeaderBytes(100).build());
    assertReason(() -> small.decodeRequest(codec.encodeRequest(request())), FrameException.Reason.TOO_LARGE);
  }

  @Test
  void decode_frameOverLimit_isTooLarge() {
    FrameCodec small = new FrameCodec(FrameLimits.builder().maxFrameBytes(100).maxHeaderBytes(50).build());
    assertReason(() -> small.decodeRequest(codec.encodeRequest(request())), FrameException.Reason.TOO_LARGE);
  }

  @Test
  void decode_tensorOverLimit_isTooLarge() {
    FrameCodec small = new FrameCodec(FrameLimits.builder().maxTensorBytes(4).build());
    assertReason(() -> small.decodeRequest(codec.encodeRequest(request())), FrameException.Reason.TOO_LARGE);
  }

  @Test
  void decode_hugeShapeClaim_isTooLargeWithoutAllocating() {
    String h = REQUEST_V2_HEADER.replace("[1,2],\"bytes\":8", "[4000000000,4000000000,4000000000,0],\"bytes\":0");
    assertReason(() -> codec.decodeRequest(frame(2, h.length(), h, X_BYTES)), FrameException.Reason.TOO_LARGE);
    String h2 = REQUEST_V2_HEADER.replace("[1,2],\"bytes\":8", "[1000000000],\"bytes\":4000000000");
    assertReason(() -> codec.decodeRequest(frame(2, h2.length(), h2, X_BYTES)), FrameException.Reason.TOO_LARGE);
  }

  @Test
  void decode_bytesDisagreeWithShape_isBadTensor() {
    String h = REQUEST_V2_HEADER.replace("\"bytes\":8", "\"bytes\":9");
    assertReason(() -> codec.decodeRequest(frame(2, h.length(), h, Arrays.copyOf(X_BYTES, 9))),
        FrameException.Reason.BAD_TENSOR);
  }

  @Test
  void decode_negativeDimension_isBadTensor() {
    String h = REQUEST_V2_HEADER.replace("[1,2]", "[-1,-2]");
    assertReason(() -> codec.decodeRequest(frame(2, h.length(), h, X_BYTES)), FrameException.Reason.BAD_TENSOR);
  }

  @Test
  void decode_unknownTypeOrEmptyName_isBadTensor() {
    String t = REQUEST_V2_HEADER.replace("float32", "float16");
    assertReason(() -> codec.decodeRequest(frame(2, t.length(), t, X_BYTES)), FrameException.Reason.BAD_TENSOR);
    String n = REQUEST_V2_HEADER.replace("\"name\":\"x\"", "\"name\":\"\"");
    assertReason(() -> codec.decodeRequest(frame(2, n.length(), n, X_BYTES)), FrameException.Reason.BAD_TENSOR);
  }

  @Test
  void decode_duplicateTensorNames_isBadTensor() {
    String h = REQUEST_V2_HEADER.replace("]}", ",{\"name\":\"x\",\"type\":\"uint8\",\"shape\":[1],\"bytes\":1}]}");
    assertReason(() -> codec.decodeRequest(frame(2, h.length(), h, Arrays.copyOf(X_BYTES, 9))),
        FrameException.Reason.BAD_TENSOR);
  }

  @Test
  void decode_missingTensorBytes_isBadLength() {
    assertReason(() -> codec.decodeRequest(frame(2, 110, REQUEST_V2_HEADER, Arrays.copyOf(X_BYTES, 7))),
        FrameException.Reason.BAD_LENGTH);
  }

  @Test
  void decode_trailingBytes_isBadLength() {
    assertReason(() -> codec.decodeRequest(frame(2, 110, REQUEST_V2_HEADER, Arrays.copyOf(X_BYTES, 9))),
        FrameException.Reason.BAD_LENGTH);
  }

  @Test
  void decode_missingOrMistypedFields_isBadHeader() {
    String noUplink = REQUEST_V1_HEADER; // fine in v1, required in v2
    assertReason(() -> codec.decodeRequest(frame(2, 96, noUplink, X_BYTES)), FrameException.Reason.BAD_HEADER);
    String quoted = REQUEST_V2_HEADER.replace("\"budget_ms\":50", "\"budget_ms\":\"50\"");
    assertReason(() -> codec.decodeRequest(frame(2, quoted.length(), quoted, X_BYTES)), FrameException.Reason.BAD_HEADER);
    String fraction = REQUEST_V2_HEADER.replace("\"budget_ms\":50", "\"budget_ms\":5.5");
    assertReason(() -> codec.decodeRequest(frame(2, fraction.length(), fraction, X_BYTES)), FrameException.Reason.BAD_HEADER);
    String negative = REQUEST_V2_HEADER.replace("\"uplink_ms\":7", "\"uplink_ms\":-7");
    assertReason(() -> codec.decodeRequest(frame(2, negative.length(), negative, X_BYTES)), FrameException.Reason.BAD_HEADER);
    String twice = REQUEST_V2_HEADER.replace("\"uplink_ms\":7", "\"uplink_ms\":7,\"uplink_ms\":8");
    assertReason(() -> codec.decodeRequest(frame(2, twice.length(), twice, X_BYTES)), FrameException.Reason.BAD_HEADER);
    String noInputs = REQUEST_V2_HEADER.replaceAll("\\[\\{.*\\}\\]", "[]");
    assertReason(() -> codec.decodeRequest(frame(2, noInputs.length(), noInputs, new byte[0])), FrameException.Reason.BAD_HEADER);
  }

  @Test
  void decode_invalidJsonOrUtf8_isBadHeader() {
    String trailing = REQUEST_V2_HEADER + "{}";
    assertReason(() -> codec.decodeRequest(frame(2, trailing.length(), trailing, X_BYTES)), FrameException.Reason.BAD_HEADER);
    String cut = REQUEST_V2_HEADER.substring(0, 50);
    assertReason(() -> codec.decodeRequest(frame(2, 50, cut, new byte[0])), FrameException.Reason.BAD_HEADER);
    byte[] f = codec.encodeRequest(request());
    f[12] = (byte) 0xc3; // a two-byte lead followed by an ASCII byte is malformed UTF-8
    assertReason(() -> codec.decodeRequest(f), FrameException.Reason.BAD_HEADER);
  }

  @Test
  void decode_requestAsReply_isBadHeader() {
    assertReason(() -> codec.decodeReply(codec.encodeRequest(request())), FrameException.Reason.BAD_HEADER);
    assertReason(() -> codec.decodeRequest(codec.encodeReply(okReply())), FrameException.Reason.BAD_HEADER);
  }

  @Test
  void decode_unknownField_isIgnored() {
    String h = REQUEST_V2_HEADER.replace("{\"model\"", "{\"trace\":{\"a\":[1,2,{}]},\"model\"");
    assertThat(codec.decodeRequest(frame(2, h.length(), h, X_BYTES))).isEqualTo(request());
  }

  @Test
  void encode_overLimits_isTooLarge() {
    FrameCodec small = new FrameCodec(FrameLimits.builder().maxTensorBytes(4).build());
    assertReason(() -> small.encodeRequest(request()), FrameException.Reason.TOO_LARGE);
    FrameCodec tiny = new FrameCodec(FrameLimits.builder().maxFrameBytes(64).maxHeaderBytes(50).build());
    assertReason(() -> tiny.encodeRequest(request()), FrameException.Reason.TOO_LARGE);
    FrameCodec oneTensor = new FrameCodec(FrameLimits.builder().maxTensors(1).build());
    assertReason(() -> oneTensor.encodeReply(okReply()), FrameException.Reason.TOO_LARGE);
  }

  @Test
  void roundTrip_everyElementTypeAndEmptyTensor() {
    RequestFrame r = RequestFrame.of("m", 0, 0, Arrays.asList(
        Tensor.ofFloats("f", new float[] {Float.NaN, Float.MIN_VALUE}),
        Tensor.ofLongs("l", new long[] {Long.MIN_VALUE, -1}),
        Tensor.ofInts("i", new int[] {Integer.MAX_VALUE}),
        Tensor.ofBytes("u", ElementType.UINT8, new byte[] {(byte) 255}),
        Tensor.ofBytes("s", ElementType.INT8, new byte[0], 0, 3),
        Tensor.ofFloats("scalar", new float[] {3f}, new long[0])));
    assertThat(codec.decodeRequest(codec.encodeRequest(r))).isEqualTo(r);
  }

  @Test
  void limits_builder_rejectsInconsistentOptions() {
    assertThatThrownBy(() -> FrameLimits.builder().maxFrameBytes(0)).hasMessageContaining("maxFrameBytes");
    assertThatThrownBy(() -> FrameLimits.builder().maxFrameBytes(100).maxHeaderBytes(100).build())
        .hasMessageContaining("maxHeaderBytes");
  }

  static void assertReason(Runnable call, FrameException.Reason reason) {
    assertThatThrownBy(call::run)
        .isInstanceOf(FrameException.class)
        .satisfies(e -> assertThat(((FrameException) e).reason()).isEqualTo(reason));
  }
}
