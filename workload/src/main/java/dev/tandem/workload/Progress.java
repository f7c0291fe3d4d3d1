package dev.tandem.workload;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on standard error for the long steps of a build (embedding, training), or
 * nothing when disabled (tests). Not thread-safe; close it when the step ends.
 */
public final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /** A bar named {@code task} counting to {@code max}, or a silent one if not {@code enabled}. */
  public static Progress start(String task, long max, boolean enabled) {
    if (!enabled) {
      return new Progress(null);
    }
    return new Progress(new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().build());
  }

  public void step() {
    if (bar != null) {
      bar.step();
    }
  }

  public void extra(String message) {
    if (bar != null) {
      bar.setExtraMessage(message);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
