package dev.tandem.sample.testing;

import android.content.Context;
import dev.tandem.sample.SampleFiles;
import dev.tandem.workload.embed.Embedder;
import dev.tandem.workload.embed.Encoder;
import dev.tandem.workload.embed.Pooling;
import dev.tandem.workload.fuse.OnnxFusion;
import dev.tandem.workload.head.Head;
import dev.tandem.workload.head.LogisticRegression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A real text edge model built without the network: the reference edge encoder (int8
 * all-MiniLM-L6-v2, from its Maven Central jar), mean pooling and a logistic head fitted on a
 * dozen messages, fused into one ONNX graph by the workload's {@link OnnxFusion}, the way
 * {@code workload build} makes the reference edge model from the whole corpus. Built once per JVM.
 */
public final class EdgeModelFixture {
  static final String[] SPAM = {
      "WIN a FREE prize now, click here to claim your cash reward",
      "Cheap meds online, no prescription needed, order today",
      "Congratulations! You have been selected for a $1000 gift card",
      "Earn money fast working from home, limited offer, act now",
      "Your account has been suspended, verify your password at this link",
      "Lowest mortgage rates guaranteed, apply now for instant approval"};
  static final String[] HAM = {
      "Are we still meeting for lunch tomorrow at noon?",
      "The build failed on the arm64 runner, can you have a look at the logs",
      "Here are the slides from this morning's design review",
      "Mum asked whether you are coming home for the weekend",
      "I pushed a fix for the parser bug, tests pass now",
      "Thanks for the notes, I will reply to the reviewers on Monday"};
  private static byte[] model;

  private EdgeModelFixture() {}

  /** The fused model's bytes (input_ids, attention_mask, token_type_ids in; probabilities [ham, spam] out). */
  public static synchronized byte[] model() {
    if (model == null) {
      List<float[]> x = new ArrayList<>();
      int[] y = new int[SPAM.length + HAM.length];
      try (Embedder e = new Embedder(Encoder.MINILM_INT8, 128, 1)) {
        for (String s : HAM) {
          x.add(e.embed(s));
        }
        for (int i = 0; i < SPAM.length; i++) {
          y[HAM.length + i] = 1;
          x.add(e.embed(SPAM[i]));
        }
      }
      Head head = LogisticRegression.fit(x, y, 1e-3);
      model = OnnxFusion.fuse(Encoder.MINILM_INT8.modelBytes(), Pooling.MEAN, head,
          Collections.singletonMap("tandem.fixture", "android-sample"));
    }
    return model;
  }

  /**
   * Puts the model, its tokenizer, and the app's own policy.json and prices.json (from
   * app/src/main/assets) where the app finds its assets once copied: {@code filesDir/tandem}.
   */
  public static void install(Context context) throws IOException {
    Path dir = SampleFiles.root(context);
    Files.write(dir.resolve(SampleFiles.EDGE_MODEL), model());
    Files.write(dir.resolve(SampleFiles.TOKENIZER), Encoder.MINILM_INT8.tokenizerBytes());
    Path assets = BuildPaths.buildDir().getParent().resolve("app/src/main/assets");
    Files.copy(assets.resolve(SampleFiles.POLICY), dir.resolve(SampleFiles.POLICY));
    Files.copy(assets.resolve(SampleFiles.PRICES), dir.resolve(SampleFiles.PRICES));
  }
}
