package dev.tandem.runtime.internal.capture;

import dev.tandem.runtime.internal.fleet.MqttLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the device's captured inputs (opt-in) to the collector, one QoS 1 message per capture on
 * {@code {prefix}/captures/{deviceId}}, and deletes each file once the broker has acknowledged it.
 * Files past their retention are deleted by the capture store instead of being sent.
 */
public final class CaptureUploader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CaptureUploader.class);
  private static final int PER_ROUND = 50;

  private final MqttLink link;
  private final CaptureStore captures;
  private final String topic;
  private final ScheduledExecutorService timer;

  public CaptureUploader(MqttLink link, CaptureStore captures, String topic, long intervalMs) {
    this.link = link;
    this.captures = captures;
    this.topic = topic;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "capture-uploader");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::round, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
  }

  /** One round: purge past retention, then send up to 50 captures, oldest first. @return captures sent */
  public int round() {
    try {
      captures.purge();
      if (!link.ready()) {
        return 0;
      }
      List<Path> files = captures.files();
      int sent = 0;
      for (Path f : files.subList(0, Math.min(PER_ROUND, files.size()))) {
        MqttMessage m = new MqttMessage(Files.readAllBytes(f));
        m.setQos(1);
        link.publish(topic, m).waitForCompletion(10_000);
        Files.deleteIfExists(f);
        sent++;
      }
      return sent;
    } catch (MqttException | IOException | RuntimeException e) {
      log.warn("capture upload paused: {}", e.toString());
      return 0;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
