package dev.tandem.agent.state;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.agent.config.AgentConfig;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.device.NetworkType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The board's state for each decision: the network type and metered flag from the config (or
 * the {@link NetworkProbe}), the battery from {@link BatteryProbe}, and, when configured, an
 * override file whose fields ({@code network_type}, {@code metered}, {@code battery_percent},
 * {@code charging}) win over both, for tests and for operators who know better than the probe.
 * Readings are cached for {@code refreshMs}, so a decision costs a clock read. Thread-safe.
 */
public final class ProbedDeviceState implements DeviceStateProvider {
  private static final Logger log = LoggerFactory.getLogger(ProbedDeviceState.class);

  private final AgentConfig.DeviceStateConfig config;
  private final String deviceClass;
  private final BatteryProbe battery;
  private final NetworkProbe network;
  private final long refreshNanos;
  private volatile DeviceState cached;
  private volatile long cachedAt;

  public ProbedDeviceState(AgentConfig.DeviceStateConfig config, String deviceClass, long refreshMs) {
    this.config = config;
    this.deviceClass = deviceClass;
    this.battery = new BatteryProbe(config.powerSupplyDir());
    this.network = new NetworkProbe(config.netDir());
    this.refreshNanos = refreshMs * 1_000_000L;
    if (config.networkType().isPresent()) {
      NetworkType.fromJsonName(config.networkType().get()); // fail at start on a bad name
    }
    this.cached = read();
    this.cachedAt = System.nanoTime();
  }

  @Override
  public DeviceState current() {
    long now = System.nanoTime();
    if (now - cachedAt >= refreshNanos) {
      synchronized (this) {
        if (now - cachedAt >= refreshNanos) {
          cached = read();
          cachedAt = System.nanoTime();
        }
      }
    }
    return cached;
  }

  DeviceState read() {
    DeviceState.Builder b = DeviceState.builder().deviceClass(deviceClass);
    if (config.networkType().isPresent()) {
      b.networkType(NetworkType.fromJsonName(config.networkType().get())).metered(config.metered());
    } else {
      NetworkProbe.Reading n = network.read();
      b.networkType(NetworkType.fromJsonName(n.networkType)).metered(n.metered || config.metered());
    }
    Optional<BatteryProbe.Reading> bat = battery.read();
    if (bat.isPresent()) {
      b.batteryPercent(bat.get().percent).charging(bat.get().charging);
    }
    if (config.overrideFile().isPresent()) {
      applyOverride(b, config.overrideFile().get());
    }
    return b.build();
  }

  private static void applyOverride(DeviceState.Builder b, Path file) {
    String text;
    try {
      text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return; // no override now
    } catch (IOException e) {
      log.warn("cannot read device state override {}: {}", file, e.toString());
      return;
    }
    try {
      JsonObject o = JsonParser.parseString(text).getAsJsonObject();
      if (o.has("network_type")) {
        b.networkType(NetworkType.fromJsonName(o.get("network_type").getAsString()));
      }
      if (o.has("metered")) {
        b.metered(o.get("metered").getAsBoolean());
      }
      if (o.has("battery_percent")) {
        b.batteryPercent(o.get("battery_percent").getAsInt());
      }
      if (o.has("charging")) {
        b.charging(o.get("charging").getAsBoolean());
      }
    } catch (RuntimeException e) {
      log.warn("ignoring device state override {}: {}", file, e.getMessage());
    }
  }
}
