package dev.tandem.relay.collect;

import java.util.Map;
import java.util.TreeMap;

/**
 * A set of sequence numbers kept as disjoint closed ranges: a device's records arrive mostly in
 * order, so a fleet's index stays a few ranges per device however many records it holds. Not
 * thread-safe; the store guards it.
 */
final class SeqRanges {
  private final TreeMap<Long, Long> ranges = new TreeMap<>();
  private long count;

  boolean contains(long seq) {
    Map.Entry<Long, Long> e = ranges.floorEntry(seq);
    return e != null && e.getValue() >= seq;
  }

  /** Adds {@code seq}; returns false when it was already present. */
  boolean add(long seq) {
    if (contains(seq)) {
      return false;
    }
    long start = seq;
    long end = seq;
    Map.Entry<Long, Long> below = ranges.floorEntry(seq - 1);
    if (below != null && below.getValue() == seq - 1) {
      start = below.getKey();
      ranges.remove(below.getKey());
    }
    Long aboveEnd = ranges.get(seq + 1);
    if (aboveEnd != null) {
      end = aboveEnd;
      ranges.remove(seq + 1);
    }
    ranges.put(start, end);
    count++;
    return true;
  }

  /** Adds the closed range [from, to]; returns how many numbers were new. */
  long addRange(long from, long to) {
    long added = 0;
    for (long s = from; s <= to; s++) {
      if (add(s)) {
        added++;
      }
    }
    return added;
  }

  /** How many members lie in [from, to]. */
  long countWithin(long from, long to) {
    long n = 0;
    for (Map.Entry<Long, Long> e : ranges.entrySet()) {
      long lo = Math.max(from, e.getKey());
      long hi = Math.min(to, e.getValue());
      if (lo <= hi) {
        n += hi - lo + 1;
      }
    }
    return n;
  }

  /** How many members of this set are also members of {@code other} and lie in [from, to]. */
  long countShared(SeqRanges other, long from, long to) {
    long n = 0;
    for (Map.Entry<Long, Long> e : other.ranges.entrySet()) {
      long lo = Math.max(from, e.getKey());
      long hi = Math.min(to, e.getValue());
      if (lo <= hi) {
        n += countWithin(lo, hi);
      }
    }
    return n;
  }

  long count() {
    return count;
  }

  boolean isEmpty() {
    return ranges.isEmpty();
  }

  long min() {
    return ranges.firstKey();
  }

  long max() {
    return ranges.lastEntry().getValue();
  }

  int rangeCount() {
    return ranges.size();
  }
}
