package dev.tandem.sample;

import android.content.Context;
import dev.tandem.runtime.internal.fleet.FleetMetrics;
import dev.tandem.runtime.internal.fleet.LogUploader;
import dev.tandem.runtime.internal.fleet.MqttLink;
import dev.tandem.runtime.internal.fleet.SpoolUploadQueue;
import dev.tandem.runtime.spool.Spool;
import java.io.IOException;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * One upload of the spool, as the job runs it: the runtime's {@link LogUploader} (the collector's
 * ack protocol: a spool segment leaves the spool only when the collector has acknowledged its
 * batch) on its own {@link MqttLink}, until every segment closed at the start is acknowledged,
 * the time is up, or the job is stopped.
 */
final class UploadPass {
  /** Client id suffix of the upload connection (the offloader has its own). */
  static final String CLIENT_SUFFIX = "-upload";
  private static final long POLL_MS = 200;

  private UploadPass() {}

  /**
   * Uploads what {@code engine}'s spool holds.
   *
   * @return whether everything was acknowledged (false: the job should run again later)
   */
  static boolean run(Context context, SampleEngine engine, long maxMs) throws IOException, MqttException,
      InterruptedException {
    SampleSettings s = engine.settings();
    Spool spool = engine.spool();
    spool.rotate(); // what is spooled now becomes a batch
    if (spool.closedSegments().isEmpty()) {
      return true;
    }
    String prefix = SampleEngine.TOPIC_PREFIX;
    try (MqttLink link = SampleEngine.fleetLink(context, s, CLIENT_SUFFIX);
        LogUploader uploader = new LogUploader(link, new SpoolUploadQueue(spool, maxMs), s.deviceId(),
            prefix + "/logs/" + s.deviceId(), prefix + "/logs-ack/" + s.deviceId(), new LogUploader.Settings(),
            FleetMetrics.none())) {
      link.start();
      long until = System.nanoTime() + maxMs * 1_000_000L;
      while (!spool.closedSegments().isEmpty() && System.nanoTime() < until) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("upload job stopped");
        }
        uploader.nudge();
        Thread.sleep(POLL_MS);
      }
      return spool.closedSegments().isEmpty();
    }
  }
}
