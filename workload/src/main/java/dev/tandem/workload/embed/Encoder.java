package dev.tandem.workload.embed;

import dev.tandem.runtime.text.TextInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The three sentence encoders of the reference workload, read from the langchain4j model jars
 * on the classpath (Maven Central): their ONNX model and tokenizer.json resources, pooling, and
 * whether their output is invariant to padding and batching.
 */
public enum Encoder {
  /** all-MiniLM-L6-v2 quantized to int8 (23 MB): the edge model. */
  MINILM_INT8("all-minilm-l6-v2-q", Pooling.MEAN, false),
  /** all-MiniLM-L6-v2 in fp32 (90 MB): the edge model's twin, for int8-vs-fp32 comparisons. */
  MINILM_FP32("all-minilm-l6-v2", Pooling.MEAN, true),
  /** bge-small-en-v1.5 in fp32 (133 MB): the cloud model. */
  BGE_SMALL("bge-small-en-v1.5", Pooling.CLS, true);

  /** Width of all three models' hidden states. */
  public static final int DIM = 384;

  private final String base;
  private final Pooling pooling;
  private final boolean batchable;
  private volatile String modelSha256;
  private volatile String tokenizerSha256;

  Encoder(String base, Pooling pooling, boolean batchable) {
    this.base = base;
    this.pooling = pooling;
    this.batchable = batchable;
  }

  /** The model's name as in its jar ({@code all-minilm-l6-v2-q}, ...). */
  public String modelName() {
    return base;
  }

  public Pooling pooling() {
    return pooling;
  }

  /**
   * Whether padding and batch neighbours leave each message's output unchanged: false for the
   * int8 model, whose activations are quantized dynamically per batch.
   */
  public boolean batchable() {
    return batchable;
  }

  public String modelResource() {
    return base + ".onnx";
  }

  public String tokenizerResource() {
    return base + "-tokenizer.json";
  }

  /** The ONNX model's bytes, read from the classpath (tens of MB; not cached). */
  public byte[] modelBytes() {
    try (InputStream in = open(modelResource())) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + modelResource(), e);
    }
  }

  /** The tokenizer.json's bytes. */
  public byte[] tokenizerBytes() {
    try (InputStream in = open(tokenizerResource())) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + tokenizerResource(), e);
    }
  }

  /** The encoder's tokenizer with a length budget of {@code maxTokens}. */
  public TextInput textInput(int maxTokens) {
    try (InputStream in = open(tokenizerResource())) {
      return TextInput.fromJson(in, maxTokens);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + tokenizerResource(), e);
    }
  }

  /** Hex SHA-256 of the model file (computed once per JVM). */
  public String modelSha256() {
    String s = modelSha256;
    if (s == null) {
      s = sha256(modelResource());
      modelSha256 = s;
    }
    return s;
  }

  /** Hex SHA-256 of the tokenizer.json (computed once per JVM). */
  public String tokenizerSha256() {
    String s = tokenizerSha256;
    if (s == null) {
      s = sha256(tokenizerResource());
      tokenizerSha256 = s;
    }
    return s;
  }

  private static InputStream open(String resource) {
    InputStream in = Encoder.class.getResourceAsStream("/" + resource);
    if (in == null) {
      throw new IllegalStateException(resource + " is not on the classpath: add the "
          + "dev.langchain4j:langchain4j-embeddings-* jar that holds it");
    }
    return in;
  }

  private static String sha256(String resource) {
    try (InputStream in = new DigestInputStream(open(resource), MessageDigest.getInstance("SHA-256"))) {
      byte[] buf = new byte[1 << 16];
      while (in.read(buf) >= 0) {
        // digesting
      }
      return Hashing.hex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
