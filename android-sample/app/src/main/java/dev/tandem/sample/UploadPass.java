package dev.tandem.sample;

import java.util.concurrent.TimeUnit;

/**
 * One upload of the spool, as the job runs it. The runtime uploads by itself whenever its broker
 * is reachable (a spool segment leaves the spool only once the collector has acknowledged its
 * batch); the job keeps the process alive until everything spooled so far is acknowledged, the
 * time is up, or the job is stopped.
 */
final class UploadPass {
  private UploadPass() {}

  /**
   * Waits for {@code engine}'s spool to be uploaded.
   *
   * @return whether everything was acknowledged (false: the job should run again later)
   * @throws InterruptedException when the job is stopped
   */
  static boolean run(SampleEngine engine, long maxMs) throws InterruptedException {
    return engine.tandem().awaitUploaded(maxMs, TimeUnit.MILLISECONDS);
  }
}
