package dev.tandem.workload.build;

import com.google.gson.JsonObject;
import java.nio.file.Path;

/**
 * One fused model of a build, as its manifest ({@code models.json}) describes it. Immutable.
 */
public final class ModelEntry {
  private final String name;
  private final Path file;
  private final Path tokenizer;
  private final String sha256;
  private final String encoder;
  private final int maxTokens;
  private final String pooling;
  private final boolean batchable;
  private final double l2;
  private final double calibrationAccuracy;
  private final double testAccuracy;

  ModelEntry(Path dir, JsonObject o) {
    name = o.get("name").getAsString();
    file = dir.resolve(o.get("file").getAsString());
    tokenizer = dir.resolve(o.get("tokenizer").getAsString());
    sha256 = o.get("sha256").getAsString();
    encoder = o.get("encoder").getAsString();
    maxTokens = o.get("maxTokens").getAsInt();
    pooling = o.get("pooling").getAsString();
    batchable = o.get("batchable").getAsBoolean();
    JsonObject head = o.getAsJsonObject("head");
    l2 = head.get("l2").getAsDouble();
    JsonObject acc = o.getAsJsonObject("accuracy");
    calibrationAccuracy = acc.get("calibration").getAsDouble();
    testAccuracy = acc.get("test").getAsDouble();
  }

  /** {@code edge}, {@code cloud} or {@code edge-fp32}. */
  public String name() {
    return name;
  }

  /** The fused ONNX model: token ids in, {@code probabilities} [batch, 2] (ham, spam) out. */
  public Path file() {
    return file;
  }

  /** The tokenizer.json of the model's encoder (for {@code TextInput}). */
  public Path tokenizer() {
    return tokenizer;
  }

  public String sha256() {
    return sha256;
  }

  /** The encoder inside, e.g. {@code all-minilm-l6-v2-q}. */
  public String encoder() {
    return encoder;
  }

  /** Tokens per message, special tokens included; messages are truncated, never padded. */
  public int maxTokens() {
    return maxTokens;
  }

  /** {@code mean} or {@code cls}. */
  public String pooling() {
    return pooling;
  }

  /** Whether messages may be padded and batched together without changing their outputs. */
  public boolean batchable() {
    return batchable;
  }

  /** The head's L2 strength, chosen on the calibration part. */
  public double l2() {
    return l2;
  }

  public double calibrationAccuracy() {
    return calibrationAccuracy;
  }

  /** Accuracy on the test part (reported only, never tuned on). */
  public double testAccuracy() {
    return testAccuracy;
  }

  @Override
  public String toString() {
    return "ModelEntry{" + name + ", " + file.getFileName() + ", " + encoder + ", " + maxTokens + " tokens}";
  }
}
