package dev.tandem.agent.simulate;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tandem.runtime.internal.model.OrtEnvironments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The class names a model declares in its metadata ({@code tandem.labels}, comma-separated, in output order). */
final class ModelLabels {
  /** The metadata key the reference workload writes. */
  static final String KEY = "tandem.labels";

  private ModelLabels() {}

  /** The model's class names, or an empty list when its metadata names none. */
  static List<String> of(Path model) {
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(1);
      try (OrtSession s = OrtEnvironments.get().createSession(model.toString(), so)) {
        String v = s.getMetadata().getCustomMetadata().get(KEY);
        return v == null ? List.of() : parse(v);
      }
    } catch (OrtException e) {
      throw new IllegalArgumentException(model + ": cannot read the model's metadata: " + e.getMessage(), e);
    }
  }

  /** {@code "ham,spam"} as {@code [ham, spam]}. */
  static List<String> parse(String names) {
    List<String> out = new ArrayList<>();
    for (String n : names.split(",")) {
      String t = n.trim();
      if (t.isEmpty()) {
        throw new IllegalArgumentException("class names '" + names + "': an empty name");
      }
      if (out.contains(t)) {
        throw new IllegalArgumentException("class names '" + names + "': '" + t + "' twice");
      }
      out.add(t);
    }
    return List.copyOf(out);
  }
}
