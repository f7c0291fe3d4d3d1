package dev.tandem.agent.smoke;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads node output names from a serialized ONNX model and adds graph outputs to it, working on
 * the protobuf wire format directly: the agent carries no protobuf library, and these two
 * operations need only a few fields (ModelProto.graph = 7; GraphProto.node = 1, input = 11,
 * output = 12; NodeProto.output = 2; ValueInfoProto.name = 1).
 *
 * <p>Added outputs carry a name only: ONNX Runtime infers their types when it loads the graph.
 * Stateless; all methods are thread-safe. Throws {@link IllegalArgumentException} on bytes that
 * are not a well-formed model.
 */
final class GraphOutputs {
  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int NODE_OUTPUT = 2;
  private static final int VALUE_INFO_NAME = 1;

  private GraphOutputs() {}

  /**
   * The outputs of the graph's nodes, in node order (the order ONNX Runtime saves an optimized
   * graph in: topological), without empty (omitted optional) outputs; declared graph outputs
   * are among them where a node produces them.
   */
  static List<String> nodeOutputs(byte[] model) {
    Set<String> out = new LinkedHashSet<>();
    for (Slice graph : fields(model, 0, model.length, MODEL_GRAPH)) {
      for (Slice node : fields(model, graph.start, graph.end, GRAPH_NODE)) {
        for (Slice name : fields(model, node.start, node.end, NODE_OUTPUT)) {
          String s = name.string(model);
          if (!s.isEmpty()) {
            out.add(s);
          }
        }
      }
    }
    return new ArrayList<>(out);
  }

  /** The names of the graph's declared outputs, in order. */
  static List<String> graphOutputs(byte[] model) {
    return valueInfoNames(model, GRAPH_OUTPUT);
  }

  /** The names of the graph's declared inputs (initializers may be listed among them), in order. */
  static List<String> graphInputs(byte[] model) {
    return valueInfoNames(model, GRAPH_INPUT);
  }

  /**
   * The model with {@code names} appended to its graph's outputs (after the existing ones, in the
   * given order). Every other field is kept byte for byte; the graph field moves to the end,
   * which protobuf parsers accept in any order.
   */
  static byte[] withOutputs(byte[] model, List<String> names) {
    ByteArrayOutputStream rest = new ByteArrayOutputStream(model.length + 64 * names.size());
    ByteArrayOutputStream graph = new ByteArrayOutputStream(model.length);
    int p = 0;
    boolean sawGraph = false;
    while (p < model.length) {
      int fieldStart = p;
      long tag = varint(model, p);
      p += varintLength(model, p);
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (field == MODEL_GRAPH && wire == 2) {
        long len = varint(model, p);
        p += varintLength(model, p);
        int end = checkedEnd(model, p, len);
        // Two occurrences of a message field merge; concatenating their bodies is the same.
        graph.write(model, p, end - p);
        sawGraph = true;
        p = end;
      } else {
        p = skip(model, p, wire);
        rest.write(model, fieldStart, p - fieldStart);
      }
    }
    if (!sawGraph) {
      throw new IllegalArgumentException("not an ONNX model: no graph");
    }
    for (String name : names) {
      byte[] n = name.getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream vi = new ByteArrayOutputStream(n.length + 6);
      writeLengthDelimited(vi, VALUE_INFO_NAME, n);
      writeLengthDelimited(graph, GRAPH_OUTPUT, vi.toByteArray());
    }
    writeLengthDelimited(rest, MODEL_GRAPH, graph.toByteArray());
    return rest.toByteArray();
  }

  private static List<String> valueInfoNames(byte[] model, int graphField) {
    List<String> out = new ArrayList<>();
    for (Slice graph : fields(model, 0, model.length, MODEL_GRAPH)) {
      for (Slice vi : fields(model, graph.start, graph.end, graphField)) {
        for (Slice name : fields(model, vi.start, vi.end, VALUE_INFO_NAME)) {
          out.add(name.string(model));
        }
      }
    }
    return out;
  }

  /** The bodies of the length-delimited occurrences of {@code field} in a message's bytes. */
  private static List<Slice> fields(byte[] b, int start, int end, int field) {
    List<Slice> out = new ArrayList<>();
    int p = start;
    while (p < end) {
      long tag = varint(b, p);
      p += varintLength(b, p);
      int wire = (int) (tag & 7);
      if ((int) (tag >>> 3) == field && wire == 2) {
        long len = varint(b, p);
        p += varintLength(b, p);
        int e = checkedEnd(b, p, len);
        if (e > end) {
          throw new IllegalArgumentException("not an ONNX model: field " + field + " overruns its message");
        }
        out.add(new Slice(p, e));
        p = e;
      } else {
        p = skip(b, p, wire);
      }
    }
    if (p != end) {
      throw new IllegalArgumentException("not an ONNX model: a field overruns its message");
    }
    return out;
  }

  /** Position after the value of a field of wire type {@code wire} starting at {@code p}. */
  private static int skip(byte[] b, int p, int wire) {
    switch (wire) {
      case 0:
        return p + varintLength(b, p);
      case 1:
        return checkedEnd(b, p, 8);
      case 2: {
        long len = varint(b, p);
        int q = p + varintLength(b, p);
        return checkedEnd(b, q, len);
      }
      case 5:
        return checkedEnd(b, p, 4);
      default:
        throw new IllegalArgumentException("not an ONNX model: wire type " + wire + " at byte " + p);
    }
  }

  private static int checkedEnd(byte[] b, int p, long len) {
    if (len < 0 || p + len > b.length) {
      throw new IllegalArgumentException("not an ONNX model: truncated at byte " + p);
    }
    return (int) (p + len);
  }

  private static long varint(byte[] b, int p) {
    long v = 0;
    for (int shift = 0, i = p; shift < 64; shift += 7, i++) {
      if (i >= b.length) {
        throw new IllegalArgumentException("not an ONNX model: truncated varint at byte " + p);
      }
      v |= (long) (b[i] & 0x7f) << shift;
      if ((b[i] & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("not an ONNX model: malformed varint at byte " + p);
  }

  private static int varintLength(byte[] b, int p) {
    int i = p;
    while (i < b.length && (b[i] & 0x80) != 0) {
      i++;
    }
    return i - p + 1;
  }

  private static void writeLengthDelimited(ByteArrayOutputStream out, int field, byte[] body) {
    writeVarint(out, ((long) field << 3) | 2);
    writeVarint(out, body.length);
    out.write(body, 0, body.length);
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static final class Slice {
    final int start;
    final int end;

    Slice(int start, int end) {
      this.start = start;
      this.end = end;
    }

    String string(byte[] b) {
      return new String(b, start, end - start, StandardCharsets.UTF_8);
    }
  }
}
