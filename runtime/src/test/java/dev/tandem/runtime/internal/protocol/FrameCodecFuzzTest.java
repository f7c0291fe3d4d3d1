package dev.tandem.runtime.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random and mutated frames: the decoders must return a valid frame (one that re-encodes
 * and decodes to itself) or throw {@link FrameException}, never anything else.
 */
class FrameCodecFuzzTest {
  private static final int INPUTS = 120_000;
  private static final String[] INTERESTING = {
    "-1", "0", "1", "2147483647", "2147483648", "4294967296", "9223372036854775807",
    "99999999999999999999", "-9223372036854775808", "1.5", "1e400", "-0", "NaN", "\"7\"", "null",
    "[]", "{}", "true", "\"\"", "\"float32\"", "\"int64\"", "\"ok\"", "\"timeout\"", "[0]", "[-1]",
    "[4294967296,4294967296,4294967296]"
  };
  private static final String[] KEYS = {
    "model", "budget_ms", "uplink_ms", "inputs", "outputs", "status", "message", "name", "type",
    "shape", "bytes", "relay_id", "model_version", "queue_ms", "inference_ms", "batch_size"
  };

  private final Random random = new Random(20261122L);
  private final FrameCodec codec = new FrameCodec();
  private final FrameCodec small = new FrameCodec(
      FrameLimits.builder().maxFrameBytes(512).maxHeaderBytes(256).maxTensorBytes(64).maxTensors(3).maxRank(3).build());

  @Test
  void decode_randomAndMutatedFrames_yieldValidFrameOrFrameException() {
    List<byte[]> seeds = seeds();
    Map<FrameException.Reason, Integer> reasons = new EnumMap<>(FrameException.Reason.class);
    int valid = 0;
    for (int i = 0; i < INPUTS; i++) {
      byte[] input = i % 20 == 0 ? randomBytes() : mutate(seeds.get(random.nextInt(seeds.size())));
      FrameCodec c = i % 4 == 3 ? small : codec;
      boolean asRequest = random.nextBoolean();
      try {
        if (asRequest) {
          RequestFrame r = c.decodeRequest(input);
          assertThat(codec.decodeRequest(codec.encodeRequest(r))).isEqualTo(r);
        } else {
          ReplyFrame r = c.decodeReply(input);
          assertThat(codec.decodeReply(codec.encodeReply(r))).isEqualTo(r);
        }
        valid++;
      } catch (FrameException e) {
        reasons.merge(e.reason(), 1, Integer::sum);
        assertThat(e.getMessage()).isNotEmpty();
      } catch (RuntimeException | Error e) {
        throw new AssertionError("input " + i + " threw " + e + " for bytes "
            + new String(input, StandardCharsets.ISO_8859_1), e);
      }
    }
    // Every kind of rejection is reached, and the mutations leave some frames valid.
    assertThat(reasons.keySet()).containsExactlyInAnyOrder(FrameException.Reason.values());
    assertThat(valid).isGreaterThan(INPUTS / 100);
  }

  private List<byte[]> seeds() {
    List<byte[]> seeds = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      List<Tensor> tensors = randomTensors();
      RequestFrame req = RequestFrame.of("model-" + i, random.nextInt(1000), random.nextInt(100), tensors);
      seeds.add(codec.encodeRequest(req, i % 5 == 0 ? 1 : 2));
      ReplyStatus[] statuses = ReplyStatus.values();
      ReplyStatus s = statuses[random.nextInt(statuses.length)];
      ReplyFrame rep = ReplyFrame.builder(s)
          .message(s == ReplyStatus.OK ? "" : "message \u00e9\u4e2d " + i)
          .outputs(s == ReplyStatus.OK ? randomTensors() : new ArrayList<Tensor>())
          .relayId("relay-" + i)
          .modelVersion("v" + i)
          .queueMs(random.nextInt(50) / 4.0)
          .inferenceMs(random.nextInt(50))
          .batchSize(1 + random.nextInt(8))
          .build();
      seeds.add(codec.encodeReply(rep, i % 5 == 0 ? 1 : 2));
    }
    return seeds;
  }

  private List<Tensor> randomTensors() {
    List<Tensor> tensors = new ArrayList<>();
    int n = 1 + random.nextInt(3);
    ElementType[] types = ElementType.values();
    for (int t = 0; t < n; t++) {
      ElementType type = types[random.nextInt(types.length)];
      int rank = random.nextInt(3);
      long[] shape = new long[rank];
      long count = 1;
      for (int d = 0; d < rank; d++) {
        shape[d] = random.nextInt(4);
        count *= shape[d];
      }
      byte[] data = new byte[(int) count * type.byteSize()];
      random.nextBytes(data);
      tensors.add(Tensor.of("t" + t, type, shape, ByteBuffer.wrap(data)));
    }
    return tensors;
  }

  private byte[] randomBytes() {
    byte[] b = new byte[random.nextInt(64)];
    random.nextBytes(b);
    if (b.length >= 5 && random.nextBoolean()) {
      System.arraycopy(FrameCodec.MAGIC, 0, b, 0, 4);
      b[4] = (byte) (1 + random.nextInt(2));
    }
    return b;
  }

  private byte[] mutate(byte[] seed) {
    byte[] f = seed.clone();
    int rounds = 1 + random.nextInt(3);
    for (int r = 0; r < rounds; r++) {
      switch (random.nextInt(8)) {
        case 0: // flip a bit anywhere
          if (f.length > 0) {
            int i = random.nextInt(f.length);
            f[i] ^= (byte) (1 << random.nextInt(8));
          }
          break;
        case 1: // set a byte to a random value
          if (f.length > 0) {
            f[random.nextInt(f.length)] = (byte) random.nextInt(256);
          }
          break;
        case 2: // truncate
          f = Arrays.copyOf(f, random.nextInt(f.length + 1));
          break;
        case 3: // append random bytes
          byte[] extra = new byte[1 + random.nextInt(16)];
          random.nextBytes(extra);
          byte[] longer = Arrays.copyOf(f, f.length + extra.length);
          System.arraycopy(extra, 0, longer, f.length, extra.length);
          f = longer;
          break;
        case 4: // overwrite the header length
          if (f.length >= 9) {
            int v = random.nextBoolean() ? random.nextInt() : random.nextInt(f.length + 4);
            f[5] = (byte) (v >>> 24);
            f[6] = (byte) (v >>> 16);
            f[7] = (byte) (v >>> 8);
            f[8] = (byte) v;
          }
          break;
        default: // edit the JSON text and re-frame it with a consistent header length
          f = mutateHeader(f);
      }
    }
    return f;
  }

  private byte[] mutateHeader(byte[] f) {
    if (f.length < 9) {
      return f;
    }
    int len = (f[5] & 0xff) << 24 | (f[6] & 0xff) << 16 | (f[7] & 0xff) << 8 | (f[8] & 0xff);
    if (len < 0 || len > f.length - 9) {
      return f;
    }
    String header = new String(f, 9, len, StandardCharsets.UTF_8);
    byte[] tensors = Arrays.copyOfRange(f, 9 + len, f.length);
    switch (random.nextInt(5)) {
      case 0: { // replace a value after a colon or in an array with an interesting one
        int colon = nthIndex(header, random.nextBoolean() ? ':' : '[');
        if (colon >= 0) {
          int end = colon + 1;
          while (end < header.length() && ",}]".indexOf(header.charAt(end)) < 0) {
            end++;
          }
          header = header.substring(0, colon + 1) + pick(INTERESTING) + header.substring(end);
        }
        break;
      }
      case 1: { // rename a key
        String key = pick(KEYS);
        header = header.replaceFirst("\"" + pick(KEYS) + "\"", "\"" + key + "\"");
        break;
      }
      case 2: { // delete a span
        if (!header.isEmpty()) {
          int a = random.nextInt(header.length());
          int b = Math.min(header.length(), a + 1 + random.nextInt(12));
          header = header.substring(0, a) + header.substring(b);
        }
        break;
      }
      case 3: { // duplicate a span
        if (!header.isEmpty()) {
          int a = random.nextInt(header.length());
          int b = Math.min(header.length(), a + 1 + random.nextInt(40));
          header = header.substring(0, b) + header.substring(a, b) + header.substring(b);
        }
        break;
      }
      default: { // grow or shrink the tensor bytes to the next size
        int delta = random.nextInt(9) - 4;
        tensors = Arrays.copyOf(tensors, Math.max(0, tensors.length + delta));
      }
    }
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[9 + h.length + tensors.length];
    System.arraycopy(f, 0, out, 0, 5);
    out[5] = (byte) (h.length >>> 24);
    out[6] = (byte) (h.length >>> 16);
    out[7] = (byte) (h.length >>> 8);
    out[8] = (byte) h.length;
    System.arraycopy(h, 0, out, 9, h.length);
    System.arraycopy(tensors, 0, out, 9 + h.length, tensors.length);
    return out;
  }

  private int nthIndex(String s, char c) {
    int count = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == c) {
        count++;
      }
    }
    if (count == 0) {
      return -1;
    }
    int target = random.nextInt(count);
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == c && target-- == 0) {
        return i;
      }
    }
    return -1;
  }

  private String pick(String[] options) {
    return options[random.nextInt(options.length)];
  }
}
