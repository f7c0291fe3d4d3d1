package dev.tandem.tuner.store;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What to read: a store directory (the collector's store, or a bare directory of spool segments)
 * and an optional range of receive dates (inclusive). Build with {@link #builder(Path)}.
 */
public final class StoreQuery {
  private final Path root;
  private final LocalDate from;
  private final LocalDate to;
  private final Consumer<String> progress;
  private final boolean probabilities;

  private StoreQuery(Builder b) {
    this.root = b.root;
    this.from = b.from;
    this.to = b.to;
    this.progress = b.progress;
    this.probabilities = b.probabilities;
  }

  public static Builder builder(Path root) {
    return new Builder(root);
  }

  public Path root() {
    return root;
  }

  public Optional<LocalDate> from() {
    return Optional.ofNullable(from);
  }

  public Optional<LocalDate> to() {
    return Optional.ofNullable(to);
  }

  /** Receives a line now and then on long reads (devices read, records, elapsed time). */
  public Consumer<String> progress() {
    return progress;
  }

  /** Whether decisions keep the edge's class probabilities (off: an empty array, less memory). */
  public boolean probabilities() {
    return probabilities;
  }

  boolean inRange(LocalDate d) {
    return (from == null || !d.isBefore(from)) && (to == null || !d.isAfter(to));
  }

  /** Builds a {@link StoreQuery}. */
  public static final class Builder {
    private final Path root;
    private LocalDate from;
    private LocalDate to;
    private Consumer<String> progress = s -> { };
    private boolean probabilities;

    private Builder(Path root) {
      this.root = Objects.requireNonNull(root, "root");
    }

    /** First receive date to include (null: from the first). */
    public Builder from(LocalDate d) {
      from = d;
      return this;
    }

    /** Last receive date to include (null: up to the last). */
    public Builder to(LocalDate d) {
      to = d;
      return this;
    }

    public Builder progress(Consumer<String> p) {
      progress = Objects.requireNonNull(p, "progress");
      return this;
    }

    public Builder probabilities(boolean keep) {
      probabilities = keep;
      return this;
    }

    /** @throws IllegalArgumentException when {@code from} is after {@code to} */
    public StoreQuery build() {
      if (from != null && to != null && from.isAfter(to)) {
        throw new IllegalArgumentException("--from " + from + " is after --to " + to);
      }
      return new StoreQuery(this);
    }
  }
}
