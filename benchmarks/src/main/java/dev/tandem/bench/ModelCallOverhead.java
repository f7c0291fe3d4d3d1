package dev.tandem.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The model call's added time measured in pairs: each iteration calls the bare session and the
 * Tandem session back to back (alternating which goes first), so load on a shared machine hits
 * both alike. Prints, per model, p50 and p99 of each call and of the per-pair difference
 * {@code tandem - bare}, in microseconds, as Markdown table rows.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tandem.bench.ModelCallOverhead [pairs for tiny] [pairs for minilm]
 * </pre>
 *
 * Defaults: 200,000 pairs for the tiny model, 2,000 for MiniLM (about a minute in all on two
 * cores), after 20,000 and 200 warm-up pairs.
 */
public final class ModelCallOverhead {
  private ModelCallOverhead() {}

  public static void main(String[] args) throws Exception {
    int tinyPairs = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int miniLmPairs = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    System.out.println("| model | pairs | bare p50 | bare p99 | tandem p50 | tandem p99 | added p50 | added p99 |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    measure("tiny", tinyPairs, tinyPairs / 10);
    measure("minilm-int8", miniLmPairs, miniLmPairs / 10);
  }

  private static void measure(String model, int pairs, int warmUp) throws Exception {
    long[] bare = new long[pairs];
    long[] tandem = new long[pairs];
    long[] added = new long[pairs];
    long sink = 0;
    try (ModelCallFixture f = new ModelCallFixture(model)) {
      for (int i = 0; i < warmUp; i++) {
        sink += f.bare().length + f.tandem().size();
      }
      for (int i = 0; i < pairs; i++) {
        long t0;
        long t1;
        long t2;
        if ((i & 1) == 0) {
          t0 = System.nanoTime();
          sink += f.bare().length;
          t1 = System.nanoTime();
          sink += f.tandem().size();
          t2 = System.nanoTime();
          bare[i] = t1 - t0;
          tandem[i] = t2 - t1;
        } else {
          t0 = System.nanoTime();
          sink += f.tandem().size();
          t1 = System.nanoTime();
          sink += f.bare().length;
          t2 = System.nanoTime();
          tandem[i] = t1 - t0;
          bare[i] = t2 - t1;
        }
        added[i] = tandem[i] - bare[i];
      }
    }
    System.out.println(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s | %s |", model, pairs,
        us(bare, 0.50), us(bare, 0.99), us(tandem, 0.50), us(tandem, 0.99), us(added, 0.50), us(added, 0.99))
        + (sink == 42 ? " " : ""));
  }

  private static String us(long[] nanos, double q) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int index = (int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)));
    return String.format(Locale.ROOT, "%.1f", sorted[index] / 1000.0);
  }
}
