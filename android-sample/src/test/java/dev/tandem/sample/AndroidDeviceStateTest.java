package dev.tandem.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.robolectric.Shadows.shadowOf;

import android.Manifest;
import android.app.Application;
import android.content.Context;
import android.net.ConnectivityManager;
import android.net.NetworkCapabilities;
import android.os.BatteryManager;
import android.telephony.TelephonyManager;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.sample.testing.SampleTestRunner;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.shadows.ShadowNetworkCapabilities;

/** Android's battery and connectivity, as Robolectric shadows them, become the runtime's device state. */
@RunWith(SampleTestRunner.class)
public class AndroidDeviceStateTest {
  private Application app;
  private ConnectivityManager cm;
  private BatteryManager bm;

  @Before
  public void services() {
    app = RuntimeEnvironment.getApplication();
    cm = (ConnectivityManager) app.getSystemService(Context.CONNECTIVITY_SERVICE);
    bm = (BatteryManager) app.getSystemService(Context.BATTERY_SERVICE);
  }

  @Test
  public void unmeteredWifi_andAChargingBattery() {
    network(NetworkCapabilities.TRANSPORT_WIFI, false);
    battery(57, true);
    DeviceState s = new AndroidDeviceState(app, 0).current();
    assertThat(s.networkType()).isEqualTo(NetworkType.WIFI);
    assertThat(s.metered()).isFalse();
    assertThat(s.batteryPercent()).isEqualTo(57);
    assertThat(s.charging()).isTrue();
  }

  @Test
  public void meteredCellular_withoutPhoneStatePermission_isOtherAndMetered() {
    network(NetworkCapabilities.TRANSPORT_CELLULAR, true);
    battery(12, false);
    DeviceState s = new AndroidDeviceState(app, 0).current();
    assertThat(s.networkType()).isEqualTo(NetworkType.OTHER);
    assertThat(s.metered()).isTrue();
    assertThat(s.batteryPercent()).isEqualTo(12);
    assertThat(s.charging()).isFalse();
  }

  @Test
  public void cellular_withPhoneStatePermission_namesTheGeneration() {
    network(NetworkCapabilities.TRANSPORT_CELLULAR, true);
    shadowOf(app).grantPermissions(Manifest.permission.READ_PHONE_STATE);
    TelephonyManager tm = (TelephonyManager) app.getSystemService(Context.TELEPHONY_SERVICE);
    shadowOf(tm).setDataNetworkType(TelephonyManager.NETWORK_TYPE_LTE);
    assertThat(new AndroidDeviceState(app, 0).current().networkType()).isEqualTo(NetworkType.CELL_4G);
    shadowOf(tm).setDataNetworkType(TelephonyManager.NETWORK_TYPE_NR);
    assertThat(new AndroidDeviceState(app, 0).current().networkType()).isEqualTo(NetworkType.CELL_5G);
    shadowOf(tm).setDataNetworkType(TelephonyManager.NETWORK_TYPE_HSPAP);
    assertThat(new AndroidDeviceState(app, 0).current().networkType()).isEqualTo(NetworkType.CELL_3G);
  }

  @Test
  public void ethernet_isEthernet() {
    network(NetworkCapabilities.TRANSPORT_ETHERNET, false);
    assertThat(new AndroidDeviceState(app, 0).current().networkType()).isEqualTo(NetworkType.ETHERNET);
  }

  @Test
  public void noActiveNetwork_isOffline() {
    shadowOf(cm).setActiveNetworkInfo(null);
    assertThat(new AndroidDeviceState(app, 0).current().networkType()).isEqualTo(NetworkType.NONE);
  }

  @Test
  public void aReading_isReusedWithinItsMaximumAge() {
    network(NetworkCapabilities.TRANSPORT_WIFI, false);
    battery(90, true);
    AndroidDeviceState cached = new AndroidDeviceState(app, 60_000);
    assertThat(cached.current().batteryPercent()).isEqualTo(90);
    battery(40, false);
    assertThat(cached.current().batteryPercent()).isEqualTo(90);
    assertThat(new AndroidDeviceState(app, 0).current().batteryPercent()).isEqualTo(40);
  }

  private void network(int transport, boolean metered) {
    NetworkCapabilities caps = ShadowNetworkCapabilities.newInstance();
    shadowOf(caps).addTransportType(transport);
    shadowOf(caps).addCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET);
    if (!metered) {
      shadowOf(caps).addCapability(NetworkCapabilities.NET_CAPABILITY_NOT_METERED);
    }
    shadowOf(cm).setNetworkCapabilities(cm.getActiveNetwork(), caps);
  }

  private void battery(int percent, boolean charging) {
    shadowOf(bm).setIntProperty(BatteryManager.BATTERY_PROPERTY_CAPACITY, percent);
    shadowOf(bm).setIsCharging(charging);
  }
}
