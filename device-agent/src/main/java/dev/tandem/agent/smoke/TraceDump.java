package dev.tandem.agent.smoke;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every float intermediate of one model run, in graph order, with where it was computed: the
 * result of {@link IntermediateTrace#run} and the input of {@link TraceComparison}. Immutable
 * (the value arrays are not copied: treat them as read-only).
 *
 * <p>File format (big-endian header, little-endian values, so a dump reads the same on any
 * machine): magic {@code TTRC}, version 1, four UTF strings (arch, message id, sha256 of the
 * model, sha256 of the optimized graph), a tensor count, then per tensor: UTF name, rank, the
 * dimensions (longs), the element count and the float32 values.
 */
final class TraceDump {
  private static final int MAGIC = 0x54545243; // "TTRC"
  private static final int VERSION = 1;

  /** One float tensor of the trace. */
  static final class Entry {
    final String name;
    final long[] shape;
    final float[] values;

    Entry(String name, long[] shape, float[] values) {
      this.name = name;
      this.shape = shape.clone();
      this.values = values;
    }
  }

  final String arch;
  final String id;
  final String modelSha256;
  final String graphSha256;
  final List<Entry> tensors;

  TraceDump(String arch, String id, String modelSha256, String graphSha256, List<Entry> tensors) {
    this.arch = arch;
    this.id = id;
    this.modelSha256 = modelSha256;
    this.graphSha256 = graphSha256;
    this.tensors = Collections.unmodifiableList(new ArrayList<>(tensors));
  }

  /** Writes the dump to {@code file} (replacing it). */
  void write(Path file) throws IOException {
    try (DataOutputStream out = new DataOutputStream(
        new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeUTF(arch);
      out.writeUTF(id);
      out.writeUTF(modelSha256);
      out.writeUTF(graphSha256);
      out.writeInt(tensors.size());
      for (Entry e : tensors) {
        out.writeUTF(e.name);
        out.writeInt(e.shape.length);
        for (long d : e.shape) {
          out.writeLong(d);
        }
        out.writeInt(e.values.length);
        ByteBuffer b = ByteBuffer.allocate(e.values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(e.values);
        out.write(b.array());
      }
    }
  }

  /**
   * Reads a dump written by {@link #write}.
   *
   * @throws IOException if the file cannot be read, or is not a trace dump (the message says which)
   */
  static TraceDump read(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(
        new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(file + ": not a trace dump (written by SmokeTest trace)");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException(file + ": trace dump version " + version + ", expected " + VERSION);
      }
      String arch = in.readUTF();
      String id = in.readUTF();
      String modelSha = in.readUTF();
      String graphSha = in.readUTF();
      int n = in.readInt();
      List<Entry> entries = new ArrayList<>(Math.max(0, Math.min(n, 1 << 16)));
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        long[] shape = new long[in.readInt()];
        for (int k = 0; k < shape.length; k++) {
          shape[k] = in.readLong();
        }
        int count = in.readInt();
        if (count < 0) {
          throw new IOException(file + ": tensor '" + name + "' has a negative element count");
        }
        byte[] raw = new byte[count * 4];
        in.readFully(raw);
        float[] values = new float[count];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        entries.add(new Entry(name, shape, values));
      }
      return new TraceDump(arch, id, modelSha, graphSha, entries);
    } catch (EOFException e) {
      throw new IOException(file + ": truncated trace dump", e);
    }
  }
}
