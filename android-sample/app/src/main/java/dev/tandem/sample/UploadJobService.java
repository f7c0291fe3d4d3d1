package dev.tandem.sample;

import android.app.job.JobParameters;
import android.app.job.JobService;
import android.util.Log;

/**
 * Runs one upload of the spool to the collector ({@link SpoolUploader}) on its own thread when
 * {@link UploadScheduler}'s constraints are met; asks to be rescheduled when the broker could not
 * be reached or a batch was not acknowledged.
 */
public final class UploadJobService extends JobService {
  private static final String TAG = "TandemUpload";
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
          SpoolUploader.Result r = SpoolUploader.forSettings(this, engine.settings())
              .uploadAll(engine.spool(), () -> Thread.currentThread().isInterrupted());
          Log.i(TAG, r.toString());
          retry = !r.complete();
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
