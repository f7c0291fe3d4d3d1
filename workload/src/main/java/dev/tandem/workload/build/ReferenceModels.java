package dev.tandem.workload.build;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tandem.workload.corpus.Corpus;
import dev.tandem.workload.corpus.CorpusFetcher;
import dev.tandem.workload.corpus.Label;
import dev.tandem.workload.corpus.Message;
import dev.tandem.workload.embed.Encoder;
import dev.tandem.workload.embed.FeatureStore;
import dev.tandem.workload.embed.Hashing;
import dev.tandem.workload.fuse.FusedClassifier;
import dev.tandem.workload.fuse.OnnxFusion;
import dev.tandem.workload.head.Head;
import dev.tandem.workload.head.LogisticRegression;
import dev.tandem.workload.split.MessagesJsonl;
import dev.tandem.workload.split.Part;
import dev.tandem.workload.split.Split;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the reference workload's fused classifiers and split, once per set of inputs, into
 * {@code <cache>/models/<key>/} (see {@link BuiltModels} for what is there).
 *
 * <p>Steps: fetch and load the corpus, drop duplicate texts, (sample a subset), split seeded and
 * stratified; embed every message with each encoder one message at a time, unpadded (cached
 * in {@link FeatureStore}); fit a logistic-regression head per encoder, its L2 strength chosen
 * on the calibration part; fuse encoder, pooling, normalisation and head into one ONNX graph;
 * check the fused model against the unfused pipeline on a sample; write the manifest last.
 *
 * <p>The key hashes everything that changes an artefact: the corpus texts and labels, the
 * options, the encoders' model and tokenizer hashes, and {@link #RECIPE}. A finished build is
 * found again at no cost; builds of different keys share the feature cache. Cost of a full
 * build on a 2-core CPU: about 10-20 minutes, almost all of it embedding; a 60-message subset
 * takes well under a minute once the models are in the Maven cache.
 */
public final class ReferenceModels {
  /** Version of the build recipe: bump it when a step changes its output. */
  public static final String RECIPE = "tandem-workload-build-1";
  /** Largest |fused - unfused| spam probability a build accepts. */
  public static final double FUSION_TOLERANCE = 1e-4;
  /** Messages of the calibration part on which each fused model is checked during a build. */
  public static final int FUSION_CHECK_MESSAGES = 16;

  private static final Logger log = LoggerFactory.getLogger(ReferenceModels.class);
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  private ReferenceModels() {}

  /**
   * The build of {@code options} under {@code cacheRoot}: found there, or built now.
   *
   * @throws IOException if the cache cannot be read or written
   * @throws dev.tandem.workload.corpus.CorpusException if the corpus cannot be fetched or read
   * @throws IllegalStateException if a fused model disagrees with its unfused pipeline
   */
  public static BuiltModels ensureBuilt(Path cacheRoot, BuildOptions options) throws IOException {
    Corpus corpus = loadCorpus(cacheRoot, options);
    String key = key(corpus, options);
    Path dir = cacheRoot.resolve("models").resolve(key.substring(0, 16));
    if (Files.exists(dir.resolve("models.json"))) {
      log.info("reference models already built: {}", dir);
      return BuiltModels.read(dir);
    }
    Files.createDirectories(dir.getParent());
    Path work = Files.createTempDirectory(dir.getParent(), ".build-");
    try {
      build(cacheRoot, corpus, options, key, work);
      try {
        Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException | java.nio.file.FileAlreadyExistsException
          | java.nio.file.DirectoryNotEmptyException e) {
        if (!Files.exists(dir.resolve("models.json"))) {
          throw e;
        } // a concurrent build of the same key finished first; it is identical
      }
    } finally {
      deleteTree(work);
    }
    log.info("reference models built: {}", dir);
    return BuiltModels.read(dir);
  }

  /** The corpus the options select: fetched or given, deduplicated, sampled if asked. */
  public static Corpus loadCorpus(Path cacheRoot, BuildOptions options) {
    Path source = options.corpusDir().orElseGet(() -> CorpusFetcher.ensure(cacheRoot));
    Corpus corpus = Corpus.load(source).deduplicated();
    return options.subset() > 0 ? corpus.sample(options.subset(), options.seed()) : corpus;
  }

  private static String key(Corpus corpus, BuildOptions o) {
    MessageDigest d = Hashing.digest();
    StringBuilder recipe = new StringBuilder(RECIPE);
    recipe.append('|').append(o.seed()).append('|').append(o.trainFraction()).append('|')
        .append(o.calibrationFraction()).append('|').append(o.subset()).append('|')
        .append(o.edgeMaxTokens()).append('|').append(o.cloudMaxTokens()).append('|').append(o.fp32Edge());
    for (Encoder e : encoders(o)) {
      recipe.append('|').append(e.modelSha256()).append('|').append(e.tokenizerSha256());
    }
    d.update(recipe.toString().getBytes(StandardCharsets.UTF_8));
    d.update(corpusHash(corpus).getBytes(StandardCharsets.UTF_8));
    return Hashing.hex(d.digest());
  }

  static String corpusHash(Corpus corpus) {
    MessageDigest d = Hashing.digest();
    for (Message m : corpus.messages()) {
      d.update((m.id() + "\u0000" + m.label() + "\u0000" + m.text() + "\u0000").getBytes(StandardCharsets.UTF_8));
    }
    return Hashing.hex(d.digest());
  }

  private static List<Encoder> encoders(BuildOptions o) {
    List<Encoder> l = new ArrayList<>();
    l.add(Encoder.MINILM_INT8);
    l.add(Encoder.BGE_SMALL);
    if (o.fp32Edge()) {
      l.add(Encoder.MINILM_FP32);
    }
    return l;
  }

  private static void build(Path cacheRoot, Corpus corpus, BuildOptions o, String key, Path out) throws IOException {
    Split split = Split.stratified(corpus, o.seed(), o.trainFraction(), o.calibrationFraction());
    log.info("corpus: {} messages after removing duplicates ({} spam); {}", corpus.size(),
        corpus.count(Label.SPAM), split);
    split.write(out.resolve("split.json"));
    Map<Part, List<Message>> parts = new LinkedHashMap<>();
    for (Part p : Part.values()) {
      parts.put(p, split.messages(corpus, p));
      MessagesJsonl.write(out.resolve(p.fileName() + ".jsonl"), parts.get(p));
    }

    JsonArray models = new JsonArray();
    models.add(buildOne(cacheRoot, BuiltModels.EDGE, Encoder.MINILM_INT8, o.edgeMaxTokens(), parts, o, out));
    models.add(buildOne(cacheRoot, BuiltModels.CLOUD, Encoder.BGE_SMALL, o.cloudMaxTokens(), parts, o, out));
    if (o.fp32Edge()) {
      models.add(buildOne(cacheRoot, BuiltModels.EDGE_FP32, Encoder.MINILM_FP32, o.edgeMaxTokens(), parts, o, out));
    }

    JsonObject manifest = new JsonObject();
    manifest.addProperty("schema", 1);
    manifest.addProperty("recipe", RECIPE);
    manifest.addProperty("key", key);
    JsonObject c = new JsonObject();
    c.addProperty("source", o.corpusDir().map(Path::toString).orElse("npm " + CorpusFetcher.PACKAGE));
    c.addProperty("messages", corpus.size());
    c.addProperty("spam", corpus.count(Label.SPAM));
    c.addProperty("duplicatesRemoved", corpus.duplicatesRemoved());
    c.addProperty("subset", o.subset());
    c.addProperty("sha256", corpusHash(corpus));
    manifest.add("corpus", c);
    JsonObject s = new JsonObject();
    s.addProperty("file", "split.json");
    s.addProperty("seed", o.seed());
    for (Part p : Part.values()) {
      s.addProperty(p.fileName(), parts.get(p).size());
    }
    manifest.add("split", s);
    manifest.add("models", models);
    // Written last: its presence marks a complete build.
    Files.write(out.resolve("models.json"), GSON.toJson(manifest).getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject buildOne(Path cacheRoot, String name, Encoder encoder, int maxTokens,
      Map<Part, List<Message>> parts, BuildOptions o, Path out) throws IOException {
    Map<Part, List<float[]>> x = new LinkedHashMap<>();
    Map<Part, int[]> y = new LinkedHashMap<>();
    List<Message> all = new ArrayList<>();
    parts.values().forEach(all::addAll);
    List<float[]> features = FeatureStore.features(cacheRoot, encoder, maxTokens, all, o.intraOpThreads(), o.progress());
    int offset = 0;
    for (Map.Entry<Part, List<Message>> e : parts.entrySet()) {
      int n = e.getValue().size();
      x.put(e.getKey(), features.subList(offset, offset + n));
      y.put(e.getKey(), e.getValue().stream().mapToInt(m -> m.label().index()).toArray());
      offset += n;
    }
    Head head = LogisticRegression.select(x.get(Part.TRAIN), y.get(Part.TRAIN),
        x.get(Part.CALIBRATION), y.get(Part.CALIBRATION), o.progress());
    double calibration = LogisticRegression.accuracy(head, x.get(Part.CALIBRATION), y.get(Part.CALIBRATION));
    double test = LogisticRegression.accuracy(head, x.get(Part.TEST), y.get(Part.TEST));
    log.info("{} ({}@{}): λ={} calibration accuracy {} test accuracy {}", name, encoder.modelName(),
        maxTokens, head.l2(), calibration, test);

    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("tandem.model", name);
    meta.put("tandem.encoder", encoder.modelName());
    meta.put("tandem.pooling", encoder.pooling().name().toLowerCase(Locale.ROOT));
    meta.put("tandem.max_tokens", Integer.toString(maxTokens));
    meta.put("tandem.batchable", Boolean.toString(encoder.batchable()));
    meta.put("tandem.labels", "ham,spam");
    byte[] fused = OnnxFusion.fuse(encoder.modelBytes(), encoder.pooling(), head, meta);
    String file = name + ".onnx";
    Files.write(out.resolve(file), fused);
    String tokenizer = name + "-tokenizer.json";
    Files.write(out.resolve(tokenizer), encoder.tokenizerBytes());

    double maxDiff = checkFusion(out.resolve(file), encoder, maxTokens, head, parts.get(Part.CALIBRATION),
        x.get(Part.CALIBRATION), o.intraOpThreads());

    JsonObject m = new JsonObject();
    m.addProperty("name", name);
    m.addProperty("file", file);
    m.addProperty("sha256", Hashing.sha256(fused));
    m.addProperty("tokenizer", tokenizer);
    m.addProperty("encoder", encoder.modelName());
    m.addProperty("encoderSha256", encoder.modelSha256());
    m.addProperty("maxTokens", maxTokens);
    m.addProperty("pooling", encoder.pooling().name().toLowerCase(Locale.ROOT));
    m.addProperty("batchable", encoder.batchable());
    JsonArray inputs = new JsonArray();
    inputs.add("input_ids");
    inputs.add("attention_mask");
    inputs.add("token_type_ids");
    m.add("inputs", inputs);
    m.addProperty("output", OnnxFusion.OUTPUT);
    JsonArray labels = new JsonArray();
    labels.add("ham");
    labels.add("spam");
    m.add("labels", labels);
    JsonObject h = new JsonObject();
    h.addProperty("kind", "logistic regression");
    h.addProperty("l2", head.l2());
    h.addProperty("chosenOn", "calibration");
    m.add("head", h);
    JsonObject acc = new JsonObject();
    acc.addProperty("calibration", calibration);
    acc.addProperty("test", test);
    m.add("accuracy", acc);
    m.addProperty("fusedMaxAbsDifference", maxDiff);
    return m;
  }

  /**
   * Runs the fused model on the first messages of the calibration part and compares its spam
   * probability with the unfused pipeline's (embedding, pooling and head computed separately).
   */
  private static double checkFusion(Path fused, Encoder encoder, int maxTokens, Head head,
      List<Message> messages, List<float[]> features, int threads) {
    double maxDiff = 0;
    try (FusedClassifier c = new FusedClassifier(fused, encoder.textInput(maxTokens), threads)) {
      for (int i = 0; i < Math.min(FUSION_CHECK_MESSAGES, messages.size()); i++) {
        double expected = head.probability(features.get(i));
        double actual = c.probabilities(messages.get(i).text())[1];
        maxDiff = Math.max(maxDiff, Math.abs(expected - actual));
      }
    }
    if (maxDiff > FUSION_TOLERANCE) {
      throw new IllegalStateException("fused " + fused.getFileName() + " differs from the unfused pipeline by "
          + maxDiff + " (tolerance " + FUSION_TOLERANCE + ")");
    }
    return maxDiff;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
