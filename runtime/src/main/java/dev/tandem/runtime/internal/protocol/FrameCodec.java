package dev.tandem.runtime.internal.protocol;

import com.google.gson.stream.JsonWriter;
import dev.tandem.runtime.internal.json.JsonFields;
import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.Tensor;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Encodes and decodes Tandem's request and reply frames.
 *
 * <pre>
 * offset 0   4 bytes  magic "TNDM"
 * offset 4   1 byte   version (2; version 1 is still decoded)
 * offset 5   4 bytes  header length N, big-endian, unsigned
 * offset 9   N bytes  header: UTF-8 JSON
 * offset 9+N          the tensors' raw little-endian bytes, in header order, nothing after
 * </pre>
 *
 * <p>Design note: decoding checks every size the frame claims (header length, each tensor's
 * shape and byte count, their sum) against the frame's actual length and the {@link FrameLimits}
 * before it allocates anything sized by those claims, so a hostile frame costs at most a copy of
 * its own header. The JSON is read and written with Gson's streaming API (no reflection, so no
 * R8 keep rules on Android).
 *
 * <p>Version 1 lacked the request's {@code uplink_ms} (it decodes as 0: the relay's deadline is
 * then its receive time plus the whole budget) and the reply's {@code model_version},
 * {@code queue_ms}, {@code inference_ms} and {@code batch_size} (they decode as "not reported").
 *
 * <p>Instances are immutable and thread-safe. Every method throws {@link FrameException}, and no
 * other exception, for any content of its input.
 */
public final class FrameCodec {
  /** The frame's first four bytes, {@code TNDM}. */
  public static final byte[] MAGIC = {'T', 'N', 'D', 'M'};
  /** The version this codec writes. */
  public static final int VERSION = 2;
  /** The oldest version this codec still reads and can write. */
  public static final int PREVIOUS_VERSION = 1;
  /** Magic, version byte and header length. */
  public static final int PREAMBLE_BYTES = 9;
  /** Longest model or tensor name, in UTF-16 chars. */
  public static final int MAX_NAME_CHARS = 256;

  private final FrameLimits limits;

  /** A codec with {@link FrameLimits#defaults()}. */
  public FrameCodec() {
    this(FrameLimits.defaults());
  }

  public FrameCodec(FrameLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public FrameLimits limits() {
    return limits;
  }

  /**
   * The version byte of a frame, after checking its magic; lets a relay answer a frame in the
   * version it came in.
   *
   * @throws FrameException if the frame is shorter than the preamble, has the wrong magic or an
   *     unsupported version
   */
  public static int version(byte[] frame) {
    Objects.requireNonNull(frame, "frame");
    checkMagic(frame);
    if (frame.length < PREAMBLE_BYTES) {
      throw new FrameException(FrameException.Reason.BAD_LENGTH,
          "frame of " + frame.length + " bytes is shorter than the " + PREAMBLE_BYTES + "-byte preamble");
    }
    int v = frame[4] & 0xff;
    if (v != VERSION && v != PREVIOUS_VERSION) {
      throw new FrameException(FrameException.Reason.UNSUPPORTED_VERSION,
          "frame version " + v + ", this codec reads " + PREVIOUS_VERSION + " and " + VERSION);
    }
    return v;
  }

  /** Encodes a request in the current version. @throws FrameException if over a limit */
  public byte[] encodeRequest(RequestFrame frame) {
    return encodeRequest(frame, VERSION);
  }

  /**
   * Encodes a request in the given version; version 1 drops the uplink estimate.
   *
   * @throws FrameException if the frame is over a limit
   * @throws IllegalArgumentException if the version is not supported
   */
  public byte[] encodeRequest(RequestFrame frame, int version) {
    Objects.requireNonNull(frame, "frame");
    checkWriteVersion(version);
    StringWriter out = new StringWriter();
    try (JsonWriter w = new JsonWriter(out)) {
      w.beginObject();
      w.name("model").value(frame.model());
      w.name("budget_ms").value(frame.budgetMs());
      if (version >= 2) {
        w.name("uplink_ms").value(frame.uplinkEstimateMs());
      }
      w.name("inputs");
      writeTensorDescriptions(w, frame.inputs());
      w.endObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing to a StringWriter failed", e);
    }
    return assemble(version, out.toString(), frame.inputs());
  }

  /**
   * Decodes a request frame, of the current or the previous version.
   *
   * @throws FrameException for anything but a valid request frame within the limits
   */
  public RequestFrame decodeRequest(byte[] frame) {
    Objects.requireNonNull(frame, "frame");
    int version = checkPreamble(frame);
    int headerLength = readInt(frame, 5);
    JsonFields h = header(frame, headerLength, "request header");
    String model = name(h.string("model"), "model");
    long budget = h.integer("budget_ms", 0, Long.MAX_VALUE);
    // uplink_ms is not part of version 1: ignored there
    long uplink = version >= 2 ? h.integer("uplink_ms", 0, Long.MAX_VALUE) : 0;
    List<Desc> inputs = readTensorDescriptions(h, "inputs");
    if (inputs.isEmpty()) {
      throw header("a request needs at least one input");
    }
    List<Tensor> tensors = readTensors(frame, PREAMBLE_BYTES + headerLength, inputs);
    return RequestFrame.of(model, budget, uplink, tensors);
  }

  /** Encodes a reply in the current version. @throws FrameException if over a limit */
  public byte[] encodeReply(ReplyFrame frame) {
    return encodeReply(frame, VERSION);
  }

  /**
   * Encodes a reply in the given version; version 1 drops model version, queue ms, inference ms
   * and batch size.
   *
   * @throws FrameException if the frame is over a limit
   * @throws IllegalArgumentException if the version is not supported
   */
  public byte[] encodeReply(ReplyFrame frame, int version) {
    Objects.requireNonNull(frame, "frame");
    checkWriteVersion(version);
    StringWriter out = new StringWriter();
    try (JsonWriter w = new JsonWriter(out)) {
      w.beginObject();
      w.name("status").value(frame.status().wireName());
      w.name("message").value(frame.message());
      w.name("outputs");
      writeTensorDescriptions(w, frame.outputs());
      w.name("relay_id").value(frame.relayId());
      if (version >= 2) {
        w.name("model_version").value(frame.modelVersion());
        writeMs(w, "queue_ms", frame.queueMs());
        writeMs(w, "inference_ms", frame.inferenceMs());
        w.name("batch_size").value(frame.batchSize());
      }
      w.endObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing to a StringWriter failed", e);
    }
    return assemble(version, out.toString(), frame.outputs());
  }

  /**
   * Decodes a reply frame, of the current or the previous version.
   *
   * @throws FrameException for anything but a valid reply frame within the limits
   */
  public ReplyFrame decodeReply(byte[] frame) {
    Objects.requireNonNull(frame, "frame");
    int version = checkPreamble(frame);
    int headerLength = readInt(frame, 5);
    JsonFields h = header(frame, headerLength, "reply header");
    ReplyStatus status = status(h.string("status"));
    String message = h.string("message", "");
    List<Desc> outputs = h.has("outputs") ? readTensorDescriptions(h, "outputs") : new ArrayList<>();
    String relayId = h.string("relay_id", "");
    String modelVersion = "";
    double queueMs = -1;
    double inferenceMs = -1;
    int batchSize = -1;
    if (version >= 2) { // not part of version 1: ignored there
      modelVersion = h.string("model_version", "");
      queueMs = ms(h, "queue_ms");
      inferenceMs = ms(h, "inference_ms");
      long b = h.integer("batch_size", -1);
      if (b < 1 && b != -1 || b > Integer.MAX_VALUE) {
        throw header("batch_size must be >= 1, or -1 (not reported), was " + b);
      }
      batchSize = (int) b;
    }
    List<Tensor> tensors = readTensors(frame, PREAMBLE_BYTES + headerLength, outputs);
    return ReplyFrame.builder(status)
        .message(message)
        .outputs(tensors)
        .relayId(relayId)
        .modelVersion(modelVersion)
        .queueMs(queueMs)
        .inferenceMs(inferenceMs)
        .batchSize(batchSize)
        .build();
  }

  // ---- encoding ----

  private void writeTensorDescriptions(JsonWriter w, List<Tensor> tensors) throws IOException {
    if (tensors.size() > limits.maxTensors()) {
      throw new FrameException(FrameException.Reason.TOO_LARGE,
          tensors.size() + " tensors, the limit is " + limits.maxTensors());
    }
    w.beginArray();
    for (Tensor t : tensors) {
      if (t.name().length() > MAX_NAME_CHARS) {
        throw new FrameException(FrameException.Reason.BAD_TENSOR,
            "tensor name of " + t.name().length() + " chars, the limit is " + MAX_NAME_CHARS);
      }
      if (t.rank() > limits.maxRank()) {
        throw new FrameException(FrameException.Reason.TOO_LARGE,
            "tensor '" + t.name() + "' has rank " + t.rank() + ", the limit is " + limits.maxRank());
      }
      if (t.byteLength() > limits.maxTensorBytes()) {
        throw new FrameException(FrameException.Reason.TOO_LARGE,
            "tensor '" + t.name() + "' has " + t.byteLength() + " bytes, the limit is " + limits.maxTensorBytes());
      }
      w.beginObject();
      w.name("name").value(t.name());
      w.name("type").value(t.type().wireName());
      w.name("shape").beginArray();
      for (long d : t.shape()) {
        w.value(d);
      }
      w.endArray();
      w.name("bytes").value(t.byteLength());
      w.endObject();
    }
    w.endArray();
  }

  private static void writeMs(JsonWriter w, String name, double v) throws IOException {
    w.name(name);
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      w.value((long) v); // whole numbers without a ".0"
    } else {
      w.value(v);
    }
  }

  private byte[] assemble(int version, String header, List<Tensor> tensors) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    if (h.length > limits.maxHeaderBytes()) {
      throw new FrameException(FrameException.Reason.TOO_LARGE,
          "header of " + h.length + " bytes, the limit is " + limits.maxHeaderBytes());
    }
    long total = (long) PREAMBLE_BYTES + h.length;
    for (Tensor t : tensors) {
      total += t.byteLength();
    }
    if (total > limits.maxFrameBytes()) {
      throw new FrameException(FrameException.Reason.TOO_LARGE,
          "frame of " + total + " bytes, the limit is " + limits.maxFrameBytes());
    }
    byte[] out = new byte[(int) total];
    System.arraycopy(MAGIC, 0, out, 0, 4);
    out[4] = (byte) version;
    out[5] = (byte) (h.length >>> 24);
    out[6] = (byte) (h.length >>> 16);
    out[7] = (byte) (h.length >>> 8);
    out[8] = (byte) h.length;
    System.arraycopy(h, 0, out, PREAMBLE_BYTES, h.length);
    int off = PREAMBLE_BYTES + h.length;
    for (Tensor t : tensors) {
      t.data().get(out, off, t.byteLength());
      off += t.byteLength();
    }
    return out;
  }

  private static void checkWriteVersion(int version) {
    if (version != VERSION && version != PREVIOUS_VERSION) {
      throw new IllegalArgumentException(
          "version must be " + PREVIOUS_VERSION + " or " + VERSION + ", was " + version);
    }
  }

  // ---- decoding ----

  /** A tensor as the header describes it, checked, before any of its bytes are touched. */
  private static final class Desc {
    final String name;
    final ElementType type;
    final long[] shape;
    final int bytes;

    Desc(String name, ElementType type, long[] shape, int bytes) {
      this.name = name;
      this.type = type;
      this.shape = shape;
      this.bytes = bytes;
    }
  }

  private int checkPreamble(byte[] frame) {
    if (frame.length > limits.maxFrameBytes()) {
      throw new FrameException(FrameException.Reason.TOO_LARGE,
          "frame of " + frame.length + " bytes, the limit is " + limits.maxFrameBytes());
    }
    int version = version(frame);
    long headerLength = readInt(frame, 5) & 0xffffffffL;
    if (headerLength > limits.maxHeaderBytes()) {
      throw new FrameException(FrameException.Reason.TOO_LARGE,
          "header claims " + headerLength + " bytes, the limit is " + limits.maxHeaderBytes());
    }
    if (headerLength > frame.length - PREAMBLE_BYTES) {
      throw new FrameException(FrameException.Reason.BAD_LENGTH,
          "header claims " + headerLength + " bytes, the frame holds " + (frame.length - PREAMBLE_BYTES)
              + " after the preamble");
    }
    return version;
  }

  private static void checkMagic(byte[] frame) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (i >= frame.length || frame[i] != MAGIC[i]) {
        throw new FrameException(FrameException.Reason.BAD_MAGIC, "frame does not start with TNDM");
      }
    }
  }

  private static int readInt(byte[] b, int off) {
    return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
  }

  /**
   * The header's fields, read strictly: a duplicate key, trailing content or a mistyped field is
   * a bad header; fields this version does not know are left for newer writers.
   */
  private static JsonFields header(byte[] frame, int headerLength, String what) {
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    String text;
    try {
      text = utf8.decode(ByteBuffer.wrap(frame, PREAMBLE_BYTES, headerLength)).toString();
    } catch (CharacterCodingException e) {
      throw new FrameException(FrameException.Reason.BAD_HEADER, "header is not valid UTF-8", e);
    }
    return JsonFields.parse(text, (path, value, problem) -> header(
        (path.isEmpty() ? what : what + " field '" + path + "'") + " " + problem
            + (value.isEmpty() ? "" : ", was " + value)));
  }

  private List<Desc> readTensorDescriptions(JsonFields h, String field) {
    int count = h.array(field).size();
    if (count > limits.maxTensors()) {
      throw new FrameException(FrameException.Reason.TOO_LARGE,
          field + " lists more than " + limits.maxTensors() + " tensors");
    }
    List<Desc> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonFields t : h.objects(field)) {
      Desc d = readTensorDescription(t);
      if (!names.add(d.name)) {
        throw new FrameException(FrameException.Reason.BAD_TENSOR, field + ": two tensors are named '" + d.name + "'");
      }
      out.add(d);
    }
    return out;
  }

  private Desc readTensorDescription(JsonFields t) {
    String where = t.path();
    if (!t.has("name") || !t.has("type") || !t.has("shape") || !t.has("bytes")) {
      throw tensor(where + ": name, type, shape and a non-negative bytes are required");
    }
    String name = t.string("name");
    if (name.isEmpty() || name.length() > MAX_NAME_CHARS) {
      throw tensor(where + ": name must have 1 to " + MAX_NAME_CHARS + " chars, has " + name.length());
    }
    ElementType type;
    try {
      type = ElementType.fromWireName(t.string("type"));
    } catch (IllegalArgumentException e) {
      throw new FrameException(FrameException.Reason.BAD_TENSOR, where + ": " + e.getMessage(), e);
    }
    if (t.array("shape").size() > limits.maxRank()) {
      throw new FrameException(FrameException.Reason.TOO_LARGE, where + ": rank over the limit of " + limits.maxRank());
    }
    long[] dims = t.integers("shape");
    long bytes = t.integer("bytes");
    if (bytes < 0) {
      throw tensor(where + ": name, type, shape and a non-negative bytes are required");
    }
    long count = 1;
    try {
      for (long dim : dims) {
        if (dim < 0) {
          throw tensor(where + ": dimension " + dim + " is negative");
        }
        count = Math.multiplyExact(count, dim);
      }
      long need = Math.multiplyExact(count, (long) type.byteSize());
      if (need != bytes) {
        throw tensor(where + " '" + name + "': shape " + Arrays.toString(dims) + " of " + type + " needs "
            + need + " bytes, header says " + bytes);
      }
    } catch (ArithmeticException e) {
      throw new FrameException(FrameException.Reason.TOO_LARGE,
          where + " '" + name + "': shape " + Arrays.toString(dims) + " overflows", e);
    }
    if (bytes > limits.maxTensorBytes()) {
      throw new FrameException(FrameException.Reason.TOO_LARGE,
          where + " '" + name + "' has " + bytes + " bytes, the limit is " + limits.maxTensorBytes());
    }
    return new Desc(name, type, dims, (int) bytes);
  }

  private static List<Tensor> readTensors(byte[] frame, int offset, List<Desc> descs) {
    long claimed = 0;
    for (Desc d : descs) {
      claimed += d.bytes;
    }
    long actual = frame.length - offset;
    if (claimed != actual) {
      throw new FrameException(FrameException.Reason.BAD_LENGTH,
          "header describes " + claimed + " tensor bytes, the frame holds " + actual);
    }
    List<Tensor> out = new ArrayList<>(descs.size());
    int off = offset;
    for (Desc d : descs) {
      out.add(Tensor.of(d.name, d.type, d.shape, ByteBuffer.wrap(frame, off, d.bytes)));
      off += d.bytes;
    }
    return out;
  }

  private static ReplyStatus status(String wireName) {
    try {
      return ReplyStatus.fromWireName(wireName);
    } catch (IllegalArgumentException e) {
      throw header("status '" + wireName + "' is not one a relay sends");
    }
  }

  private static String name(String v, String field) {
    if (v.isEmpty() || v.length() > MAX_NAME_CHARS) {
      throw header(field + " must have 1 to " + MAX_NAME_CHARS + " chars, has " + v.length());
    }
    return v;
  }

  /** A duration in ms: finite and >= 0, or -1 (not reported, also when absent). */
  private static double ms(JsonFields h, String field) {
    double v = h.number(field, -1);
    if (v < 0 && v != -1) {
      throw header(field + " must be finite and >= 0, or -1 (not reported), was " + v);
    }
    return v + 0.0; // -0.0 becomes 0.0
  }

  private static FrameException header(String message) {
    return new FrameException(FrameException.Reason.BAD_HEADER, message);
  }

  private static FrameException tensor(String message) {
    return new FrameException(FrameException.Reason.BAD_TENSOR, message);
  }
}
