package dev.tandem.workload.embed;

import dev.tandem.workload.Progress;
import dev.tandem.workload.corpus.Message;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A disk cache of sentence vectors: one append-only file per (model file hash, tokenizer hash,
 * maximum tokens) under {@code <cache>/features/}, one record per message keyed by its id and
 * the hash of its text. A build embeds only the messages the cache lacks (so subsets and the
 * full corpus share it, and an interrupted build resumes), saving every 64 new vectors; at each save it also
 * picks up what other processes stored, so two builds embedding the same messages (for
 * instance in opposite orders) share the work.
 *
 * <p>Safe for concurrent processes: appends hold a file lock, and a record left incomplete by an
 * interrupted writer is ignored, then overwritten.
 */
public final class FeatureStore {
  private static final int MAGIC = 0x54464531; // "TFE1"
  private static final int SAVE_EVERY = 64;

  private FeatureStore() {}

  /** The cache file of one encoder at one length. */
  public static Path file(Path cacheRoot, Encoder encoder, int maxTokens) {
    return cacheRoot.resolve("features").resolve(encoder.modelName() + "-"
        + encoder.modelSha256().substring(0, 12) + "-" + encoder.tokenizerSha256().substring(0, 12)
        + "-" + maxTokens + ".bin");
  }

  /**
   * The vectors of {@code messages}, in their order, from the cache or computed (one message at
   * a time, unpadded) and added to it.
   *
   * @throws IOException if the cache cannot be read or written
   */
  public static List<float[]> features(Path cacheRoot, Encoder encoder, int maxTokens,
      List<Message> messages, int intraOpThreads, boolean progress) throws IOException {
    Path file = file(cacheRoot, encoder, maxTokens);
    Files.createDirectories(file.getParent());
    Map<String, float[]> cached = read(file);
    List<Message> missing = new ArrayList<>();
    for (Message m : messages) {
      if (!cached.containsKey(key(m))) {
        missing.add(m);
      }
    }
    if (!missing.isEmpty()) {
      try (Embedder embedder = new Embedder(encoder, maxTokens, intraOpThreads);
          Progress bar = Progress.start("embed " + encoder.modelName() + "@" + maxTokens, missing.size(), progress)) {
        Map<String, float[]> fresh = new LinkedHashMap<>();
        for (Message m : missing) {
          if (!cached.containsKey(key(m))) { // another process may have stored it meanwhile
            float[] v = embedder.embed(m.text());
            fresh.put(key(m), v);
            cached.put(key(m), v);
          }
          bar.step();
          if (fresh.size() >= SAVE_EVERY) {
            cached.putAll(append(file, fresh));
            fresh.clear();
          }
        }
        append(file, fresh);
      }
    }
    List<float[]> out = new ArrayList<>(messages.size());
    for (Message m : messages) {
      out.add(cached.get(key(m)));
    }
    return out;
  }

  private static String key(Message m) {
    return m.id() + "\u0000" + Hashing.sha256(m.text()).substring(0, 16);
  }

  static Map<String, float[]> read(Path file) throws IOException {
    Map<String, float[]> out = new HashMap<>();
    scan(file, out);
    return out;
  }

  /**
   * Reads the complete records into {@code out} (if not null) and returns the byte length they
   * span: what follows is a record cut short by an interrupted writer, or nothing.
   */
  private static long scan(Path file, Map<String, float[]> out) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    long valid = 0;
    try (InputStream raw = Files.newInputStream(file);
        CountingInput counting = new CountingInput(new BufferedInputStream(raw, 1 << 16));
        DataInputStream in = new DataInputStream(counting)) {
      while (true) {
        try {
          if (in.readInt() != MAGIC) {
            break;
          }
          String key = in.readUTF();
          int dim = in.readInt();
          if (dim <= 0 || dim > 1 << 16) {
            break;
          }
          float[] v = new float[dim];
          for (int i = 0; i < dim; i++) {
            v[i] = in.readFloat();
          }
          if (out != null) {
            out.put(key, v);
          }
          valid = counting.count;
        } catch (EOFException e) {
          break;
        }
      }
    }
    return valid;
  }

  /** Counts the bytes read through it. */
  private static final class CountingInput extends java.io.FilterInputStream {
    long count;

    CountingInput(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }

  /** Appends the records and returns every record of the file (others' appends included). */
  private static Map<String, float[]> append(Path file, Map<String, float[]> records) throws IOException {
    Map<String, float[]> all = new HashMap<>();
    if (records.isEmpty()) {
      return all;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
        FileLock lock = ch.lock()) {
      long valid = scan(file, all);
      if (ch.size() > valid) {
        ch.truncate(valid); // drop a record an interrupted writer left incomplete
      }
      OutputStream os = java.nio.channels.Channels.newOutputStream(ch);
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16));
      for (Map.Entry<String, float[]> e : records.entrySet()) {
        out.writeInt(MAGIC);
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().length);
        for (float f : e.getValue()) {
          out.writeFloat(f);
        }
      }
      out.flush();
      ch.force(false);
    }
    all.putAll(records);
    return all;
  }
}
