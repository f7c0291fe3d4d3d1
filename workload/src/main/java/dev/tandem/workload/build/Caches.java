package dev.tandem.workload.build;

import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the workload keeps what it fetches and builds. */
public final class Caches {
  private Caches() {}

  /** {@code $TANDEM_CACHE} if set, else {@code ~/.cache/tandem}. */
  public static Path defaultRoot() {
    String env = System.getenv("TANDEM_CACHE");
    if (env != null && !env.trim().isEmpty()) {
      return Paths.get(env.trim());
    }
    return Paths.get(System.getProperty("user.home"), ".cache", "tandem");
  }
}
