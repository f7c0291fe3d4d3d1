package dev.tandem.agent.smoke;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.tandem.runtime.internal.model.OrtEnvironments;
import dev.tandem.runtime.model.Tensor;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a model once and records every float intermediate, to find where two machines' results
 * part. ONNX Runtime first optimizes the model as a device session would (all optimizations, 1
 * thread) and saves the optimized graph; every node output of that graph is made a graph output;
 * the result runs with no further optimization and 1 thread, so the recorded tensors are the
 * ones the optimized graph computes, node by node, in its order.
 *
 * <p>Cost: one extra session build for the optimization, and the memory of all intermediates at
 * once (about 46 MB for MiniLM-L6 at 128 tokens). Stateless; thread-safe.
 */
final class IntermediateTrace {
  private IntermediateTrace() {}

  /**
   * Traces {@code model} on {@code inputs} (inputs the model does not declare are left out).
   *
   * @param id a label for the dump (the message id)
   * @throws IOException if the model cannot be read or the temporary optimized graph written
   * @throws IllegalStateException if ONNX Runtime rejects the model or the run (with its message)
   */
  static TraceDump run(Path model, List<Tensor> inputs, String id) throws IOException {
    byte[] original = Files.readAllBytes(model);
    byte[] optimized = optimize(model);
    Set<String> declared = new HashSet<>(GraphOutputs.graphOutputs(optimized));
    List<String> order = GraphOutputs.nodeOutputs(optimized);
    List<String> added = new ArrayList<>();
    for (String name : order) {
      if (!declared.contains(name)) {
        added.add(name);
      }
    }
    byte[] traced = GraphOutputs.withOutputs(optimized, added);
    OrtEnvironment env = OrtEnvironments.get();
    Map<String, TraceDump.Entry> byName = new LinkedHashMap<>();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OptLevel.NO_OPT);
      so.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(traced, so)) {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
          for (Tensor t : inputs) {
            if (session.getInputNames().contains(t.name())) {
              feed.put(t.name(), onnx(env, t));
            }
          }
          try (OrtSession.Result result = session.run(feed)) {
            for (Map.Entry<String, OnnxValue> e : result) {
              if (!(e.getValue() instanceof OnnxTensor)) {
                continue;
              }
              OnnxTensor v = (OnnxTensor) e.getValue();
              if (v.getInfo().type != OnnxJavaType.FLOAT) {
                continue;
              }
              FloatBuffer fb = v.getFloatBuffer();
              float[] values = new float[fb.remaining()];
              fb.get(values);
              byName.put(e.getKey(), new TraceDump.Entry(e.getKey(), v.getInfo().getShape(), values));
            }
          }
        } finally {
          for (OnnxTensor t : feed.values()) {
            t.close();
          }
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime could not run the traced graph of " + model + ": "
          + e.getMessage(), e);
    }
    // Graph order: the order the optimized graph's nodes produce the tensors.
    List<TraceDump.Entry> entries = new ArrayList<>();
    for (String name : order) {
      TraceDump.Entry e = byName.remove(name);
      if (e != null) {
        entries.add(e);
      }
    }
    entries.addAll(byName.values()); // graph outputs no node produces (passed-through inputs)
    return new TraceDump(System.getProperty("os.arch"), id, sha256(original), sha256(optimized), entries);
  }

  /** The model as ONNX Runtime optimizes it for a session (all optimizations, 1 thread). */
  static byte[] optimize(Path model) throws IOException {
    Path tmp = Files.createTempFile("tandem-trace-", ".onnx");
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OptLevel.ALL_OPT);
      so.setIntraOpNumThreads(1);
      so.setOptimizedModelFilePath(tmp.toString());
      // ONNX Runtime warns that an all-optimized graph is for this machine only: it is, the
      // trace runs it right here.
      so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      try (OrtSession ignored = OrtEnvironments.get().createSession(model.toString(), so)) {
        // Building the session writes the optimized graph.
      }
      return Files.readAllBytes(tmp);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime could not load " + model + ": " + e.getMessage(), e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static OnnxTensor onnx(OrtEnvironment env, Tensor t) throws OrtException {
    switch (t.type()) {
      case FLOAT32:
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(t.toFloatArray()), t.shape());
      case INT64:
        return OnnxTensor.createTensor(env, LongBuffer.wrap(t.toLongArray()), t.shape());
      case INT32:
        return OnnxTensor.createTensor(env, IntBuffer.wrap(t.toIntArray()), t.shape());
      default:
        throw new IllegalArgumentException("input '" + t.name() + "': " + t.type() + " is not supported by the trace");
    }
  }

  static String sha256(byte[] bytes) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
      StringBuilder sb = new StringBuilder(64);
      for (byte b : d) {
        sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
