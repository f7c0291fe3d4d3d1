package dev.tandem.runtime.model;

import dev.tandem.runtime.internal.model.OrtEnvironments;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ONNX model loaded into ONNX Runtime on the first execution provider of a preference list
 * that accepts it.
 *
 * <pre>{@code
 * try (ModelSession model = ModelSession.builder()
 *     .path(Paths.get("edge.onnx"))
 *     .providers(Arrays.asList(ExecutionProvider.XNNPACK, ExecutionProvider.CPU))
 *     .intraOpThreads(2)
 *     .build()) {
 *   List<Tensor> outputs = model.run(Inputs.builder().addFloat32("features", x, 1, 4).build());
 * }
 * }</pre>
 *
 * <p><b>Providers.</b> Each provider of the list is tried in order; each failure is kept with its
 * reason ({@link #providerAttempts()}) and the first success is {@link #activeProvider()}. Without
 * {@linkplain Builder#strict(boolean) strict} mode ONNX Runtime silently runs the nodes a provider
 * cannot take on its CPU kernels, so a provider can be "active" while doing little of the work;
 * strict mode sets {@code session.disable_cpu_ep_fallback} so such a provider fails visibly.
 *
 * <p><b>Threading.</b> {@link #run} may be called from many threads at once. {@link #close()}
 * waits for runs in flight (closing the native session under a run crashes the JVM) and later
 * runs throw {@link IllegalStateException}.
 *
 * <p><b>Cost.</b> Each run copies the inputs into native memory once and each output out once;
 * every native object it creates is closed before it returns.
 */
public final class ModelSession implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelSession.class);

  /** ONNX Runtime's session option that turns off the silent per-node CPU fallback. */
  static final String DISABLE_CPU_FALLBACK = "session.disable_cpu_ep_fallback";

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelInfo info;
  private final ExecutionProvider activeProvider;
  private final List<ProviderAttempt> attempts;
  // Runs hold the read lock, close() the write lock: close waits for runs in flight.
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private ModelSession(OrtEnvironment env, OrtSession session, ModelInfo info, ExecutionProvider activeProvider,
      List<ProviderAttempt> attempts) {
    this.env = env;
    this.session = session;
    this.info = info;
    this.activeProvider = activeProvider;
    this.attempts = attempts;
  }

  /** A new builder; give exactly one of {@code path}, {@code bytes} or {@code stream}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The model's declared inputs, outputs and content hash. */
  public ModelInfo info() {
    return info;
  }

  /** The provider the session was created with. */
  public ExecutionProvider activeProvider() {
    return activeProvider;
  }

  /** Every provider tried, in order: the failures with their reasons, then the active one. */
  public List<ProviderAttempt> providerAttempts() {
    return attempts;
  }

  /**
   * Runs the model. The inputs are checked against {@link ModelInfo#inputs()} first (each declared
   * input exactly once, by name, with its element type, rank and fixed dimensions).
   *
   * @return every declared output, in the model's order, copied out of native memory
   * @throws InvalidInputException if the inputs do not match the model; nothing was run
   * @throws ModelRunException if ONNX Runtime fails the run
   * @throws IllegalStateException if the session is closed
   */
  public List<Tensor> run(List<Tensor> inputs) {
    ReentrantReadWriteLock.ReadLock readLock = lock.readLock();
    readLock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("session closed");
      }
      Map<String, Tensor> byName = InputValidator.check(info.inputs(), inputs);
      return runChecked(byName);
    } finally {
      readLock.unlock();
    }
  }

  private List<Tensor> runChecked(Map<String, Tensor> byName) {
    Map<String, OnnxTensor> ortInputs = new LinkedHashMap<>();
    try {
      for (TensorSpec spec : info.inputs()) {
        ortInputs.put(spec.name(), toOrt(env, byName.get(spec.name())));
      }
      try (OrtSession.Result result = session.run(ortInputs)) {
        List<Tensor> outputs = new ArrayList<>(info.outputs().size());
        for (int i = 0; i < info.outputs().size(); i++) {
          outputs.add(fromOrt(info.outputs().get(i).name(), result.get(i)));
        }
        return Collections.unmodifiableList(outputs);
      }
    } catch (OrtException e) {
      throw new ModelRunException("model " + info.sha256().substring(0, 12) + " failed to run: " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : ortInputs.values()) {
        t.close();
      }
    }
  }

  /**
   * Closes the native session after waiting for runs in flight. Idempotent; later {@link #run}
   * calls throw {@link IllegalStateException}.
   */
  @Override
  public void close() {
    ReentrantReadWriteLock.WriteLock writeLock = lock.writeLock();
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        session.close();
      } catch (OrtException e) {
        // Nothing a caller can do: the session is unusable either way.
        log.warn("closing ONNX Runtime session failed", e);
      }
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public String toString() {
    return "ModelSession{sha256=" + info.sha256() + ", provider=" + activeProvider.jsonName() + "}";
  }

  static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
    // One bulk copy into a direct buffer that ONNX Runtime uses in place.
    ByteBuffer direct = ByteBuffer.allocateDirect(t.byteLength()).order(ByteOrder.nativeOrder());
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || t.type().byteSize() == 1) {
      direct.put(t.data());
    } else {
      copySwapped(t, direct);
    }
    ((java.nio.Buffer) direct).rewind();
    return OnnxTensor.createTensor(env, direct, t.shape(), javaType(t.type()));
  }

  private static void copySwapped(Tensor t, ByteBuffer nativeOrder) {
    ByteBuffer le = t.data();
    switch (t.type()) {
      case FLOAT32:
        nativeOrder.asFloatBuffer().put(le.asFloatBuffer());
        break;
      case INT64:
        nativeOrder.asLongBuffer().put(le.asLongBuffer());
        break;
      case INT32:
        nativeOrder.asIntBuffer().put(le.asIntBuffer());
        break;
      default:
        nativeOrder.put(le);
    }
  }

  static Tensor fromOrt(String name, OnnxValue value) {
    if (!(value instanceof OnnxTensor)) {
      throw new ModelRunException("output '" + name + "' is not a tensor but " + value.getInfo(), null);
    }
    OnnxTensor t = (OnnxTensor) value;
    TensorInfo ti = t.getInfo();
    ElementType type = elementType(ti.type);
    if (type == null) {
      throw new ModelRunException("output '" + name + "' has element type " + ti.type + ", which Tandem tensors cannot carry",
          null);
    }
    ByteBuffer copy = t.getByteBuffer(); // a heap copy in native order
    if (copy.order() == ByteOrder.LITTLE_ENDIAN || type.byteSize() == 1) {
      return Tensor.adopt(name, type, ti.getShape(), copy);
    }
    ByteBuffer le = ByteBuffer.allocate(copy.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case FLOAT32:
        le.asFloatBuffer().put(copy.asFloatBuffer());
        break;
      case INT64:
        le.asLongBuffer().put(copy.asLongBuffer());
        break;
      default:
        le.asIntBuffer().put(copy.asIntBuffer());
    }
    return Tensor.adopt(name, type, ti.getShape(), le);
  }

  static OnnxJavaType javaType(ElementType type) {
    switch (type) {
      case FLOAT32:
        return OnnxJavaType.FLOAT;
      case INT64:
        return OnnxJavaType.INT64;
      case INT32:
        return OnnxJavaType.INT32;
      case UINT8:
        return OnnxJavaType.UINT8;
      case INT8:
        return OnnxJavaType.INT8;
      default:
        throw new IllegalArgumentException("unsupported element type " + type);
    }
  }

  /** The Tandem element type of an ONNX Runtime type, or null if Tandem cannot carry it. */
  static ElementType elementType(OnnxJavaType type) {
    switch (type) {
      case FLOAT:
        return ElementType.FLOAT32;
      case INT64:
        return ElementType.INT64;
      case INT32:
        return ElementType.INT32;
      case UINT8:
        return ElementType.UINT8;
      case INT8:
        return ElementType.INT8;
      default:
        return null;
    }
  }

  static OrtProvider ortProvider(ExecutionProvider p) {
    switch (p) {
      case QNN:
        return OrtProvider.QNN;
      case NNAPI:
        return OrtProvider.NNAPI;
      case XNNPACK:
        return OrtProvider.XNNPACK;
      case COREML:
        return OrtProvider.CORE_ML;
      case CUDA:
        return OrtProvider.CUDA;
      case TENSORRT:
        return OrtProvider.TENSOR_RT;
      case CPU:
        return OrtProvider.CPU;
      default:
        throw new IllegalArgumentException("unknown provider " + p);
    }
  }

  /**
   * Builds a {@link ModelSession}. Not thread-safe. Defaults: providers {@code [CPU]}, not
   * strict, ONNX Runtime's default intra-op thread count, no warm-up.
   */
  public static final class Builder {
    private Path path;
    private byte[] bytes;
    private InputStream stream;
    private List<ExecutionProvider> providers = Collections.singletonList(ExecutionProvider.CPU);
    private boolean strict;
    private int intraOpThreads;
    private boolean warmUp;

    private Builder() {}

    /** Load from a file (external-data files next to it are found too). */
    public Builder path(Path path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Load from the model's bytes (not copied; do not change them before {@link #build()}). */
    public Builder bytes(byte[] bytes) {
      this.bytes = Objects.requireNonNull(bytes, "bytes");
      return this;
    }

    /** Load from a stream, read to its end by {@link #build()}; the caller closes it. */
    public Builder stream(InputStream stream) {
      this.stream = Objects.requireNonNull(stream, "stream");
      return this;
    }

    /**
     * The providers to try, in order of preference.
     *
     * @throws IllegalArgumentException if the list is empty or names a provider twice
     */
    public Builder providers(List<ExecutionProvider> providers) {
      Objects.requireNonNull(providers, "providers");
      if (providers.isEmpty()) {
        throw new IllegalArgumentException("providers must not be empty: give at least one, e.g. [cpu]");
      }
      EnumSet<ExecutionProvider> seen = EnumSet.noneOf(ExecutionProvider.class);
      for (ExecutionProvider p : providers) {
        if (!seen.add(Objects.requireNonNull(p, "providers contain null"))) {
          throw new IllegalArgumentException("providers: " + p.jsonName() + " is listed twice in " + providers);
        }
      }
      this.providers = Collections.unmodifiableList(new ArrayList<>(providers));
      return this;
    }

    /** The providers to try, in order of preference. */
    public Builder providers(ExecutionProvider... providers) {
      return providers(Arrays.asList(providers));
    }

    /**
     * Whether a non-CPU provider must take the whole graph ({@code session.disable_cpu_ep_fallback});
     * if it cannot, it is recorded as failed and the next provider is tried.
     */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /**
     * Threads ONNX Runtime uses inside one operator; 0 lets ONNX Runtime choose (one per core).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder intraOpThreads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("intraOpThreads must be >= 0 (0 = ONNX Runtime's default), got " + threads);
      }
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * Whether {@link #build()} runs the model once on zeros (dynamic dimensions as 1), so the
     * first real call does not pay for lazy allocations.
     */
    public Builder warmUp(boolean warmUp) {
      this.warmUp = warmUp;
      return this;
    }

    /**
     * Loads the model and picks the provider.
     *
     * @throws IllegalStateException if not exactly one of path, bytes or stream was given
     * @throws ModelLoadException if the model cannot be read or parsed, declares a tensor type
     *     Tandem cannot carry, no provider of the list accepts it, or the warm-up run fails
     */
    public ModelSession build() {
      List<String> sources = new ArrayList<>();
      if (path != null) {
        sources.add("path");
      }
      if (bytes != null) {
        sources.add("bytes");
      }
      if (stream != null) {
        sources.add("stream");
      }
      if (sources.size() != 1) {
        throw new IllegalStateException("give exactly one of path, bytes or stream; got "
            + (sources.isEmpty() ? "none" : String.join(" and ", sources)));
      }
      byte[] modelBytes = bytes;
      String sha256;
      String source;
      if (stream != null) {
        modelBytes = readAll(stream);
      }
      if (path != null) {
        sha256 = sha256(path);
        source = path.toString();
      } else {
        sha256 = sha256(modelBytes);
        source = modelBytes.length + " bytes";
      }
      // Not OrtEnvironment.getEnvironment(): see OrtEnvironments (long command lines crash it).
      OrtEnvironment env = OrtEnvironments.get();
      EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
      List<ProviderAttempt> attempts = new ArrayList<>();
      OrtException lastError = null;
      for (ExecutionProvider p : providers) {
        if (!available.contains(ortProvider(p))) {
          attempts.add(ProviderAttempt.failed(p, "not in this ONNX Runtime build (it has " + describe(available) + ")"));
          continue;
        }
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
          try {
            configure(options, p);
          } catch (OrtException e) {
            attempts.add(ProviderAttempt.failed(p, "could not be configured: " + oneLine(e)));
            lastError = e;
            continue;
          }
          try {
            session = path != null ? env.createSession(path.toString(), options) : env.createSession(modelBytes, options);
          } catch (OrtException e) {
            attempts.add(ProviderAttempt.failed(p, (p == ExecutionProvider.CPU ? "could not load the model: "
                : "refused the graph: ") + oneLine(e)));
            lastError = e;
            continue;
          }
        }
        attempts.add(ProviderAttempt.active(p));
        List<ProviderAttempt> fixed = Collections.unmodifiableList(new ArrayList<>(attempts));
        ModelInfo info;
        try {
          info = ModelInfo.of(specs(session.getInputInfo(), "input"), specs(session.getOutputInfo(), "output"), sha256);
        } catch (OrtException | ModelLoadException e) {
          closeQuietly(session);
          if (e instanceof ModelLoadException) {
            throw (ModelLoadException) e;
          }
          throw new ModelLoadException("model " + source + ": cannot read its inputs and outputs: " + oneLine(e), fixed, e);
        }
        ModelSession model = new ModelSession(env, session, info, p, fixed);
        if (warmUp) {
          warmUp(model, source, fixed);
        }
        if (log.isInfoEnabled()) {
          log.info("model {} loaded from {} on {} (attempts: {})", sha256.substring(0, 12), source, p.jsonName(), fixed);
        }
        return model;
      }
      throw new ModelLoadException("model " + source + ": no execution provider of " + providers + " accepted it: " + attempts,
          attempts, lastError);
    }

    private void configure(OrtSession.SessionOptions options, ExecutionProvider p) throws OrtException {
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      if (strict && p != ExecutionProvider.CPU) {
        options.addConfigEntry(DISABLE_CPU_FALLBACK, "1");
      }
      switch (p) {
        case QNN: {
          Map<String, String> qnn = new HashMap<>();
          qnn.put("backend_type", "htp");
          options.addQnn(qnn);
          break;
        }
        case NNAPI:
          options.addNnapi();
          break;
        case XNNPACK: {
          Map<String, String> xnnpack = new HashMap<>();
          if (intraOpThreads > 0) {
            xnnpack.put("intra_op_num_threads", Integer.toString(intraOpThreads));
          }
          options.addXnnpack(xnnpack);
          break;
        }
        case COREML:
          options.addCoreML();
          break;
        case CUDA:
          options.addCUDA();
          break;
        case TENSORRT:
          options.addTensorrt(0);
          break;
        case CPU:
          break;
        default:
          throw new IllegalArgumentException("unknown provider " + p);
      }
    }

    private static void warmUp(ModelSession model, String source, List<ProviderAttempt> attempts) {
      Inputs.Builder zeros = Inputs.builder();
      for (TensorSpec spec : model.info().inputs()) {
        long[] shape = spec.shape();
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
          shape[i] = shape[i] < 0 ? 1 : shape[i];
          count *= shape[i];
        }
        zeros.add(Tensor.of(spec.name(), spec.type(), shape,
            ByteBuffer.allocate(Math.toIntExact(count * spec.type().byteSize()))));
      }
      try {
        model.run(zeros.build());
      } catch (RuntimeException e) {
        model.close();
        throw new ModelLoadException("model " + source + ": warm-up run on zeros failed: " + e.getMessage(), attempts, e);
      }
    }
  }

  private static List<TensorSpec> specs(Map<String, NodeInfo> nodes, String what) {
    List<TensorSpec> specs = new ArrayList<>(nodes.size());
    for (NodeInfo node : nodes.values()) {
      ValueInfo v = node.getInfo();
      if (!(v instanceof TensorInfo)) {
        throw new ModelLoadException("model " + what + " '" + node.getName() + "' is not a tensor but " + v
            + ": Tandem carries only tensors", null);
      }
      TensorInfo ti = (TensorInfo) v;
      ElementType type = elementType(ti.type);
      if (type == null) {
        throw new ModelLoadException("model " + what + " '" + node.getName() + "' has element type "
            + ti.type.toString().toLowerCase(Locale.ROOT)
            + ": Tandem tensors carry float32, int64, int32, uint8 or int8", null);
      }
      specs.add(TensorSpec.of(node.getName(), type, ti.getShape()));
    }
    return specs;
  }

  private static String describe(EnumSet<OrtProvider> available) {
    List<String> names = new ArrayList<>();
    for (OrtProvider p : available) {
      names.add(p.getName());
    }
    return String.join(", ", names);
  }

  private static String oneLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    return m.replace('\n', ' ').trim();
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      // Already failing with a more useful error; the session is gone either way.
      log.debug("closing a session that failed to load", e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) != -1) {
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new ModelLoadException("cannot read the model stream: " + e.getMessage(), e);
    }
  }

  private static String sha256(Path path) {
    MessageDigest digest = newDigest();
    try (InputStream in = Files.newInputStream(path)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) != -1) {
        digest.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new ModelLoadException("cannot read model " + path + ": " + e, e);
    }
    return hex(digest.digest());
  }

  private static String sha256(byte[] bytes) {
    return hex(newDigest().digest(bytes));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static String hex(byte[] digest) {
    StringBuilder b = new StringBuilder(digest.length * 2);
    for (byte x : digest) {
      b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return b.toString();
  }
}
