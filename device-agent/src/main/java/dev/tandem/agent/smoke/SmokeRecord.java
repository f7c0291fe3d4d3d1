package dev.tandem.agent.smoke;

import java.util.Arrays;
import java.util.Objects;

/**
 * One message's result in a smoke run: the message id, the top-1 class and the model's
 * output values (class probabilities for a classifier). Immutable.
 */
public final class SmokeRecord {
  private final String id;
  private final int top1;
  private final float[] values;

  private SmokeRecord(String id, int top1, float[] values) {
    this.id = id;
    this.top1 = top1;
    this.values = values;
  }

  /**
   * A record whose top-1 is the index of the largest value (the first on ties).
   *
   * @throws IllegalArgumentException if the id is empty or there are no values
   */
  public static SmokeRecord of(String id, float[] values) {
    Objects.requireNonNull(values, "values");
    if (values.length == 0) {
      throw new IllegalArgumentException("record '" + id + "': no values");
    }
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return of(id, best, values);
  }

  /**
   * A record with an explicit top-1, as read back from a file.
   *
   * @throws IllegalArgumentException if the id is empty, there are no values, or top-1 is not
   *     an index of the values
   */
  public static SmokeRecord of(String id, int top1, float[] values) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(values, "values");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("record id is empty");
    }
    if (values.length == 0) {
      throw new IllegalArgumentException("record '" + id + "': no values");
    }
    if (top1 < 0 || top1 >= values.length) {
      throw new IllegalArgumentException(
          "record '" + id + "': top1 " + top1 + " is not an index of " + values.length + " values");
    }
    return new SmokeRecord(id, top1, values.clone());
  }

  public String id() {
    return id;
  }

  public int top1() {
    return top1;
  }

  /** A copy of the values. */
  public float[] values() {
    return values.clone();
  }

  int size() {
    return values.length;
  }

  float value(int i) {
    return values[i];
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SmokeRecord)) {
      return false;
    }
    SmokeRecord r = (SmokeRecord) o;
    return id.equals(r.id) && top1 == r.top1 && Arrays.equals(values, r.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, top1, Arrays.hashCode(values));
  }

  @Override
  public String toString() {
    return "SmokeRecord{" + id + ", top1=" + top1 + ", values=" + Arrays.toString(values) + "}";
  }
}
