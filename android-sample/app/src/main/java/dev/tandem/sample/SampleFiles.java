package dev.tandem.sample;

import android.content.Context;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The app's files under {@code filesDir/tandem}: the edge model, its tokenizer, the policy and
 * the prices (each copied there from the APK's assets on first use), and the record spool.
 */
public final class SampleFiles {
  /** The edge model (ONNX), an asset fetched by {@code ./gradlew :app:fetchEdgeModel}. */
  public static final String EDGE_MODEL = "edge.onnx";
  /** The edge model's HuggingFace {@code tokenizer.json}, fetched with it. */
  public static final String TOKENIZER = "tokenizer.json";
  /** The routing policy used when the policy source is "bundled". */
  public static final String POLICY = "policy.json";
  /** The prices the cost model uses (docs/records.md). */
  public static final String PRICES = "prices.json";

  private SampleFiles() {}

  /** {@code filesDir/tandem}, created if absent. */
  public static Path root(Context context) throws IOException {
    return Files.createDirectories(context.getFilesDir().toPath().resolve("tandem"));
  }

  /** The spool's directory (records and sequence numbers). */
  public static Path spoolDir(Context context) throws IOException {
    return Files.createDirectories(root(context).resolve("spool"));
  }

  /**
   * The file {@code name} under {@link #root}, copied from the assets when it is not there yet.
   *
   * @throws MissingAssetException if neither the file nor the asset exists
   */
  public static Path file(Context context, String name) throws IOException {
    Path target = root(context).resolve(name);
    if (Files.isRegularFile(target)) {
      return target;
    }
    Path tmp = target.resolveSibling(name + ".tmp");
    try (InputStream in = context.getAssets().open(name)) {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
    } catch (FileNotFoundException e) {
      throw new MissingAssetException(name);
    }
    return Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** An asset the app needs is not in the APK (the edge model was not fetched before the build). */
  public static final class MissingAssetException extends IOException {
    private static final long serialVersionUID = 1L;

    MissingAssetException(String name) {
      super("'" + name + "' is not in the app's assets: run ./gradlew :app:fetchEdgeModel (docs/android.md) and "
          + "rebuild");
    }
  }
}
