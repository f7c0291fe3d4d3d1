package dev.tandem.sample;

import android.app.job.JobParameters;
import android.app.job.JobService;
import android.util.Log;

/**
 * Runs one upload of the spool to the collector ({@link UploadPass}) on its own thread when
 * {@link UploadScheduler}'s constraints are met; asks to be rescheduled when the broker could not
 * be reached or a batch was not acknowledged in time.
 */
public final class UploadJobService extends JobService {
  private static final String TAG = "TandemUpload";
  /** Longest one job waits for acknowledgements (the system stops jobs after 10 minutes). */
  private static final long MAX_PASS_MS = 120_000;
  private volatile Thread worker;

  @Override
  public boolean onStartJob(JobParameters params) {
    Thread t = new Thread(() -> {
      boolean retry;
      try {
        SampleEngine engine = EngineHolder.get(this);
        if (engine.settings().brokerUri().isEmpty()) {
          retry = false; // no collector configured: records stay in the spool, within its budget
        } else {
          retry = !UploadPass.run(engine, MAX_PASS_MS);
          Log.i(TAG, retry ? "upload incomplete; retrying later" : "every spooled record acknowledged");
        }
      } catch (Exception e) {
        Log.w(TAG, "upload failed; retrying later", e);
        retry = true;
      }
      jobFinished(params, retry);
    }, "tandem-upload");
    worker = t;
    t.start();
    return true;
  }

  @Override
  public boolean onStopJob(JobParameters params) {
    Thread t = worker;
    if (t != null) {
      t.interrupt();
    }
    return true; // what was not acknowledged stays in the spool: run again later
  }
}
