package dev.tandem.relay.serve;

import dev.tandem.relay.metrics.RelayMetrics;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The served models by name, each with its runner. Loading builds an ONNX Runtime session with
 * the configured provider preference and warms it up before it takes traffic; a reload builds
 * the new version beside the old one and swaps it in between batches, so no request sees a
 * half-loaded model and a failed load leaves the old version serving.
 */
final class ModelRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

  private final Map<String, ModelRunner> runners = new ConcurrentHashMap<>();
  private final RelayMetrics metrics;
  private final ReplySink sink;
  private final String relayId;
  private final java.util.function.BiConsumer<String, Throwable> onFatal;

  ModelRegistry(RelayMetrics metrics, ReplySink sink, String relayId,
      java.util.function.BiConsumer<String, Throwable> onFatal) {
    this.onFatal = onFatal;
    this.metrics = metrics;
    this.sink = sink;
    this.relayId = relayId;
  }

  /** Loads every model; on any failure closes what was loaded and throws. */
  void loadAll(List<ModelConfig> models) {
    try {
      for (ModelConfig m : models) {
        runners.put(m.name(), new ModelRunner(load(m), metrics, sink, relayId, onFatal));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  Optional<ModelRunner> get(String name) {
    return Optional.ofNullable(runners.get(name));
  }

  List<ModelRunner> all() {
    return new ArrayList<>(runners.values());
  }

  /**
   * Applies a new model list: loads added models, reloads those whose file or version changed,
   * and retires removed ones after their queue drained. A model that fails to load keeps its
   * old version serving; the failure is returned.
   */
  List<String> apply(List<ModelConfig> models, long drainMillis) {
    List<String> failures = new ArrayList<>();
    List<String> keep = new ArrayList<>();
    for (ModelConfig m : models) {
      keep.add(m.name());
      ModelRunner r = runners.get(m.name());
      try {
        if (r == null) {
          runners.put(m.name(), new ModelRunner(load(m), metrics, sink, relayId, onFatal));
          log.info("model {} version {} added", m.name(), m.version());
        } else if (!r.current().config.version().equals(m.version()) || !r.current().config.file().equals(m.file())) {
          String old = r.current().config.version();
          r.swap(load(m));
          log.info("model {} reloaded: version {} -> {}", m.name(), old, m.version());
        }
      } catch (RuntimeException e) {
        log.error("model {} version {}: load failed, previous version keeps serving", m.name(), m.version(), e);
        failures.add(m.name() + ": " + e.getMessage());
      }
    }
    for (String name : new ArrayList<>(runners.keySet())) {
      if (!keep.contains(name)) {
        ModelRunner r = runners.remove(name);
        try {
          r.drain(drainMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        r.close();
        log.info("model {} removed", name);
      }
    }
    return failures;
  }

  /**
   * Builds and warms a session for {@code m}.
   *
   * @throws ModelUnavailableException when the file cannot be loaded by any provider or a
   *     batchable model has an input without a dynamic batch dimension
   */
  static LoadedModel load(ModelConfig m) {
    ModelSession session;
    try {
      session = ModelSession.builder()
          .path(m.file())
          .providers(m.providers())
          .intraOpThreads(m.intraOpThreads())
          .warmUp(true)
          .build();
    } catch (Exception e) { // ModelLoadException and I/O failures alike: the message says which
      throw new ModelUnavailableException("model '" + m.name() + "' version " + m.version() + " from " + m.file()
          + " did not load: " + e.getMessage(), e);
    }
    if (m.batchable()) {
      for (TensorSpec in : session.info().inputs()) {
        long[] s = in.shape();
        if (s.length == 0 || s[0] >= 0) {
          session.close();
          throw new ModelUnavailableException("model '" + m.name() + "' is configured batchable but input '"
              + in.name() + "' has no dynamic batch dimension; set batchable to false");
        }
      }
    }
    log.info("model {} version {} loaded from {} on {} (sha256 {})", m.name(), m.version(), m.file(),
        session.activeProvider(), session.info().sha256());
    return new LoadedModel(m, session);
  }

  @Override
  public void close() {
    for (ModelRunner r : runners.values()) {
      r.close();
    }
    runners.clear();
  }
}
