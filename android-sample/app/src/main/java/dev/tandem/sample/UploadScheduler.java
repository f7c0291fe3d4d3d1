package dev.tandem.sample;

import android.app.job.JobInfo;
import android.app.job.JobScheduler;
import android.content.ComponentName;
import android.content.Context;

/**
 * Schedules the record upload with {@link JobScheduler}: once soon after new decisions, whenever
 * a network is there, and every 15 minutes on an unmetered network as a catch-up (persisted over
 * reboots). Failed uploads are retried by the scheduler with exponential back-off.
 */
public final class UploadScheduler {
  static final int JOB_SOON = 17001;
  static final int JOB_PERIODIC = 17002;
  private static final long BACKOFF_MS = 30_000;
  private static final long PERIOD_MS = 15 * 60_000L;

  private UploadScheduler() {}

  /** Uploads as soon as any network is there (replaces a pending one-off upload). */
  public static void uploadSoon(Context context) {
    JobScheduler js = (JobScheduler) context.getSystemService(Context.JOB_SCHEDULER_SERVICE);
    js.schedule(new JobInfo.Builder(JOB_SOON, new ComponentName(context, UploadJobService.class))
        .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
        .setBackoffCriteria(BACKOFF_MS, JobInfo.BACKOFF_POLICY_EXPONENTIAL)
        .build());
    ensurePeriodic(context, js);
  }

  private static void ensurePeriodic(Context context, JobScheduler js) {
    if (js.getPendingJob(JOB_PERIODIC) != null) {
      return;
    }
    js.schedule(new JobInfo.Builder(JOB_PERIODIC, new ComponentName(context, UploadJobService.class))
        .setRequiredNetworkType(JobInfo.NETWORK_TYPE_UNMETERED)
        .setPeriodic(PERIOD_MS)
        .setPersisted(true)
        .build());
  }
}
