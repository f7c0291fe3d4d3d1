package dev.tandem.sample;

import android.Manifest;
import android.content.Context;
import android.content.pm.PackageManager;
import android.net.ConnectivityManager;
import android.net.Network;
import android.net.NetworkCapabilities;
import android.os.BatteryManager;
import android.os.Build;
import android.os.SystemClock;
import android.telephony.TelephonyManager;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.device.NetworkType;

/**
 * The runtime's device state read from Android: battery level and charging from {@link
 * BatteryManager}, network type and metered flag from {@link ConnectivityManager}, and the
 * device class from {@link Build#MODEL} (lower case).
 *
 * <p>Cellular networks map to {@code 5g}, {@code 4g}, {@code 3g} or {@code 2g} when the app holds
 * {@code READ_PHONE_STATE} (the generation comes from {@link TelephonyManager}); without it, the
 * generation is unknown and the type is {@code other} (the metered rule still applies). A
 * missing battery reads as 100 percent, charging.
 *
 * <p>Thread-safe. Reads are cached for {@code maxAgeMs} (the policy asks once per decision; the
 * system services are binder calls).
 */
public final class AndroidDeviceState implements DeviceStateProvider {
  private final Context context;
  private final long maxAgeMs;
  private final String deviceClass;
  private DeviceState cached;
  private long cachedAtMs;

  /**
   * @param context any context; its application context is kept
   * @param maxAgeMs how long one reading is reused; 0 reads the services on every call
   */
  public AndroidDeviceState(Context context, long maxAgeMs) {
    this.context = context.getApplicationContext() != null ? context.getApplicationContext() : context;
    this.maxAgeMs = maxAgeMs;
    String model = Build.MODEL == null ? "" : Build.MODEL.trim().toLowerCase(java.util.Locale.ROOT);
    this.deviceClass = model.isEmpty() ? "default" : model;
  }

  @Override
  public synchronized DeviceState current() {
    long now = SystemClock.elapsedRealtime();
    if (cached == null || maxAgeMs == 0 || now - cachedAtMs >= maxAgeMs) {
      cached = read();
      cachedAtMs = now;
    }
    return cached;
  }

  private DeviceState read() {
    DeviceState.Builder b = DeviceState.builder().deviceClass(deviceClass);
    BatteryManager battery = (BatteryManager) context.getSystemService(Context.BATTERY_SERVICE);
    if (battery != null) {
      int level = battery.getIntProperty(BatteryManager.BATTERY_PROPERTY_CAPACITY);
      // Integer.MIN_VALUE (or 0 on some emulators) when the device has no battery gauge.
      if (level > 0 && level <= 100) {
        b.batteryPercent(level).charging(battery.isCharging());
      }
    }
    ConnectivityManager cm = (ConnectivityManager) context.getSystemService(Context.CONNECTIVITY_SERVICE);
    if (cm == null) {
      return b.networkType(NetworkType.NONE).build();
    }
    Network network = cm.getActiveNetwork();
    NetworkCapabilities caps = network == null ? null : cm.getNetworkCapabilities(network);
    if (caps == null || !caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET)) {
      return b.networkType(NetworkType.NONE).metered(false).build();
    }
    b.metered(!caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_NOT_METERED));
    if (caps.hasTransport(NetworkCapabilities.TRANSPORT_WIFI)) {
      b.networkType(NetworkType.WIFI);
    } else if (caps.hasTransport(NetworkCapabilities.TRANSPORT_ETHERNET)) {
      b.networkType(NetworkType.ETHERNET);
    } else if (caps.hasTransport(NetworkCapabilities.TRANSPORT_CELLULAR)) {
      b.networkType(cellGeneration());
    } else {
      b.networkType(NetworkType.OTHER);
    }
    return b.build();
  }

  private NetworkType cellGeneration() {
    if (context.checkSelfPermission(Manifest.permission.READ_PHONE_STATE) != PackageManager.PERMISSION_GRANTED) {
      return NetworkType.OTHER;
    }
    TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
    if (tm == null) {
      return NetworkType.OTHER;
    }
    return generation(tm.getDataNetworkType());
  }

  /** The generation of a {@code TelephonyManager.NETWORK_TYPE_*} constant. */
  static NetworkType generation(int networkType) {
    switch (networkType) {
      case 20: // TelephonyManager.NETWORK_TYPE_NR (API 29; the constant is inlined)
        return NetworkType.CELL_5G;
      case TelephonyManager.NETWORK_TYPE_LTE:
      case 19: // NETWORK_TYPE_LTE_CA (hidden)
        return NetworkType.CELL_4G;
      case TelephonyManager.NETWORK_TYPE_UMTS:
      case TelephonyManager.NETWORK_TYPE_EVDO_0:
      case TelephonyManager.NETWORK_TYPE_EVDO_A:
      case TelephonyManager.NETWORK_TYPE_EVDO_B:
      case TelephonyManager.NETWORK_TYPE_HSDPA:
      case TelephonyManager.NETWORK_TYPE_HSUPA:
      case TelephonyManager.NETWORK_TYPE_HSPA:
      case TelephonyManager.NETWORK_TYPE_HSPAP:
      case TelephonyManager.NETWORK_TYPE_EHRPD:
      case TelephonyManager.NETWORK_TYPE_TD_SCDMA:
        return NetworkType.CELL_3G;
      case TelephonyManager.NETWORK_TYPE_GPRS:
      case TelephonyManager.NETWORK_TYPE_EDGE:
      case TelephonyManager.NETWORK_TYPE_CDMA:
      case TelephonyManager.NETWORK_TYPE_1xRTT:
      case TelephonyManager.NETWORK_TYPE_IDEN:
      case TelephonyManager.NETWORK_TYPE_GSM:
        return NetworkType.CELL_2G;
      default:
        return NetworkType.OTHER;
    }
  }
}
