package dev.tandem.runtime.record;

import dev.tandem.runtime.testing.SampleRecords;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@link RecordCodec#encode} (Gson's streaming writer) against the former tree-model encoder, in
 * interleaved pairs on the same records, alternating which goes first. Prints p50 and p99 of
 * each in microseconds. Not a test: wall-clock numbers depend on the machine.
 *
 * <pre>
 * java -cp "runtime/target/classes:runtime/target/test-classes:$(cat cp.txt)" dev.tandem.runtime.record.EncodeComparison [pairs]
 * </pre>
 */
public final class EncodeComparison {
  private EncodeComparison() {}

  public static void main(String[] args) {
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    List<Record> records = SampleRecords.mixed("bench", 1, 2000, 3);
    long[] stream = new long[pairs];
    long[] tree = new long[pairs];
    long sink = 0;
    for (int i = 0; i < pairs / 5; i++) { // warm-up
      Record r = records.get(i % records.size());
      sink += RecordCodec.encode(r).length() + TreeRecordEncoder.encode(r).length();
    }
    for (int i = 0; i < pairs; i++) {
      Record r = records.get(i % records.size());
      long t0 = System.nanoTime();
      if ((i & 1) == 0) {
        sink += RecordCodec.encode(r).length();
        long t1 = System.nanoTime();
        sink += TreeRecordEncoder.encode(r).length();
        long t2 = System.nanoTime();
        stream[i] = t1 - t0;
        tree[i] = t2 - t1;
      } else {
        sink += TreeRecordEncoder.encode(r).length();
        long t1 = System.nanoTime();
        sink += RecordCodec.encode(r).length();
        long t2 = System.nanoTime();
        tree[i] = t1 - t0;
        stream[i] = t2 - t1;
      }
    }
    System.out.printf(Locale.ROOT, "| encoder | pairs | p50 us | p99 us |%n|---|---:|---:|---:|%n");
    System.out.printf(Locale.ROOT, "| tree (before) | %,d | %.1f | %.1f |%n", pairs, p(tree, 0.5), p(tree, 0.99));
    System.out.printf(Locale.ROOT, "| streaming (now) | %,d | %.1f | %.1f |%n", pairs, p(stream, 0.5), p(stream, 0.99));
    if (sink == 42) {
      System.out.println();
    }
  }

  private static double p(long[] ns, double q) {
    long[] s = ns.clone();
    Arrays.sort(s);
    return s[(int) Math.min(s.length - 1, Math.round(q * (s.length - 1)))] / 1000.0;
  }
}
