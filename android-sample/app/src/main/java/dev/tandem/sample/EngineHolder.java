package dev.tandem.sample;

import android.content.Context;
import java.io.IOException;

/**
 * The process's one {@link SampleEngine}: made on first use, remade when the settings change.
 * The activity and the upload job share it (and so the spool). Thread-safe.
 */
public final class EngineHolder {
  /** Device state is read at most once a second. */
  private static final long DEVICE_STATE_MAX_AGE_MS = 1000;
  private static SampleEngine engine;

  private EngineHolder() {}

  /**
   * The engine for the current settings. Slow the first time (loads the model): never call it on
   * the main thread.
   */
  public static synchronized SampleEngine get(Context context) throws IOException {
    Context app = context.getApplicationContext() != null ? context.getApplicationContext() : context;
    SampleSettings settings = SampleSettings.load(app);
    if (engine != null && !engine.settings().equals(settings)) {
      engine.close();
      engine = null;
    }
    if (engine == null) {
      engine = SampleEngine.open(app, settings, new AndroidDeviceState(app, DEVICE_STATE_MAX_AGE_MS));
    }
    return engine;
  }

  /** Closes the engine, if one is open; the next {@link #get} makes a new one. */
  public static synchronized void close() {
    if (engine != null) {
      engine.close();
      engine = null;
    }
  }
}
