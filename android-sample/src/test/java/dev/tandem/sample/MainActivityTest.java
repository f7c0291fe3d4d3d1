package dev.tandem.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.robolectric.Shadows.shadowOf;

import android.app.Application;
import android.content.Context;
import android.content.Intent;
import android.net.ConnectivityManager;
import android.net.NetworkCapabilities;
import android.os.BatteryManager;
import android.os.Looper;
import android.widget.EditText;
import android.widget.ListView;
import android.widget.TextView;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.sample.testing.EdgeModelFixture;
import dev.tandem.sample.testing.SampleTestRunner;
import java.util.List;
import java.util.Locale;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.shadows.ShadowNetworkCapabilities;

/**
 * The real activity, under Robolectric, with the real runtime, the desktop ONNX Runtime and a
 * real text edge model ({@link EdgeModelFixture}): what the screen shows is what the runtime
 * decided and wrote to the spool.
 */
@RunWith(SampleTestRunner.class)
public class MainActivityTest {
  private static final long DEADLINE_MS = 120_000;
  private Application app;

  @Before
  public void installModelAndSettings() throws Exception {
    app = appWithModelOnWifi();
  }

  /** The application with the edge model and its tokenizer installed, on wifi. */
  static Application appWithModelOnWifi() throws Exception {
    Application app = RuntimeEnvironment.getApplication();
    EdgeModelFixture.install(app);
    onWifi(app);
    return app;
  }

  @After
  public void closeEngine() {
    EngineHolder.close();
  }

  @Test
  public void classify_typedMessage_screenShowsTheDecisionThatIsInTheSpool() throws Exception {
    SampleSettings.builder().deviceId("robo-phone").build().save(app);
    ActivityController<MainActivity> c = Robolectric.buildActivity(MainActivity.class).setup();
    try {
      MainActivity a = c.get();
      ((EditText) a.findViewById(Ids.INPUT)).setText("Congratulations, you WON a free cruise, click the link to claim");
      a.findViewById(Ids.CLASSIFY).performClick();
      DecisionSummary shown = awaitDecisions(a, 1).get(0);

      DecisionRecord r = spooled(shown.id());
      assertThat(text(a, Ids.ROUTE)).isEqualTo(r.route().jsonName());
      assertThat(text(a, Ids.REASON)).isEqualTo(r.reason().jsonName());
      assertThat(text(a, Ids.DECISION_ID)).isEqualTo(r.id()).startsWith("robo-phone:");
      assertThat(text(a, Ids.ANSWER)).isEqualTo(r.prediction() == 1 ? "spam" : "not spam");
      assertThat(text(a, Ids.CONFIDENCE)).isEqualTo(
          String.format(Locale.ROOT, "%.1f %%", 100 * r.edge().get().signals().maxProb()));
      assertThat(text(a, Ids.COST)).isEqualTo(String.format(Locale.ROOT, "%.6f USD", r.cost().totalUsd()));
      assertThat(text(a, Ids.STATUS)).startsWith("edge model on cpu");
      assertThat(r.edge().get().provider()).isEqualTo("cpu");
      assertThat(r.model()).isEqualTo(SampleEngine.MODEL);
      // The bundled policy, read from the app's assets.
      assertThat(r.policyVersion()).isEqualTo(1);
      assertThat(r.context().device().networkType().jsonName()).isEqualTo("wifi");
      assertThat(((ListView) a.findViewById(Ids.HISTORY)).getAdapter().getCount()).isEqualTo(1);
    } finally {
      c.pause().stop().destroy();
    }
  }

  @Test
  public void classify_policyAsksTheCloudButNoRelayIsSet_screenShowsTheEdgeAnswerAndWhy() throws Exception {
    // Confident only at max_prob >= 1: every message asks the cloud, and there is no relay.
    SampleSettings.builder().deviceId("robo-phone").policySource(SampleSettings.POLICY_INLINE)
        .policyJson("{\"schema\":1,\"version\":5,\"model\":\"spam\",\"mode\":\"cascade\",\"threshold\":1.0,"
            + "\"deadline_ms\":300}")
        .build().save(app);
    ActivityController<MainActivity> c = Robolectric.buildActivity(MainActivity.class).setup();
    try {
      MainActivity a = c.get();
      ((EditText) a.findViewById(Ids.INPUT)).setText("Can you send me the notes from the meeting?");
      a.findViewById(Ids.CLASSIFY).performClick();
      ((EditText) a.findViewById(Ids.INPUT)).setText("Cheap watches, best prices, order now");
      a.findViewById(Ids.CLASSIFY).performClick();
      List<DecisionSummary> shown = awaitDecisions(a, 2);

      for (DecisionSummary s : shown) {
        DecisionRecord r = spooled(s.id());
        assertThat(s.route()).isEqualTo(r.route().jsonName());
        assertThat(s.reason()).isEqualTo(r.reason().jsonName()).isEqualTo("no_offloader");
        assertThat(r.decided().reason().jsonName()).isEqualTo("no_offloader");
        assertThat(r.policyVersion()).isEqualTo(5);
      }
      // The newest is on screen.
      assertThat(text(a, Ids.DECISION_ID)).isEqualTo(shown.get(0).id());
      assertThat(text(a, Ids.REASON)).isEqualTo("no_offloader");
      assertThat(((ListView) a.findViewById(Ids.HISTORY)).getAdapter().getCount()).isEqualTo(2);
    } finally {
      c.pause().stop().destroy();
    }
  }

  @Test
  public void sharedText_isClassifiedWhenTheAppOpens() throws Exception {
    SampleSettings.builder().deviceId("robo-phone").build().save(app);
    Intent share = new Intent(app, MainActivity.class).setAction(Intent.ACTION_SEND).setType("text/plain")
        .putExtra(Intent.EXTRA_TEXT, "Limited offer: lose weight fast with this one pill");
    ActivityController<MainActivity> c = Robolectric.buildActivity(MainActivity.class, share).setup();
    try {
      MainActivity a = c.get();
      DecisionSummary shown = awaitDecisions(a, 1).get(0);
      assertThat(((EditText) a.findViewById(Ids.INPUT)).getText().toString()).startsWith("Limited offer");
      assertThat(spooled(shown.id()).route().jsonName()).isEqualTo(text(a, Ids.ROUTE));
    } finally {
      c.pause().stop().destroy();
    }
  }

  /** Runs the main looper until the activity shows {@code n} decisions (the model runs on a worker). */
  private static List<DecisionSummary> awaitDecisions(MainActivity a, int n) throws InterruptedException {
    long until = System.currentTimeMillis() + DEADLINE_MS;
    while (System.currentTimeMillis() < until) {
      shadowOf(Looper.getMainLooper()).idle();
      if (a.decisions().size() >= n) {
        return a.decisions();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no " + n + " decisions on screen within " + DEADLINE_MS + " ms; status: "
        + text(a, Ids.STATUS));
  }

  private DecisionRecord spooled(String id) throws Exception {
    EngineHolder.get(app).spool().flush();
    for (Record r : Spool.readAll(SampleFiles.spoolDir(app)).records()) {
      if (r.id().equals(id) && r instanceof DecisionRecord) {
        return (DecisionRecord) r;
      }
    }
    throw new AssertionError("no decision record " + id + " in the spool");
  }

  private static String text(MainActivity a, int id) {
    return ((TextView) a.findViewById(id)).getText().toString();
  }

  static void onWifi(Context context) {
    ConnectivityManager cm = (ConnectivityManager) context.getSystemService(Context.CONNECTIVITY_SERVICE);
    NetworkCapabilities caps = ShadowNetworkCapabilities.newInstance();
    shadowOf(caps).addTransportType(NetworkCapabilities.TRANSPORT_WIFI);
    shadowOf(caps).addCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET);
    shadowOf(caps).addCapability(NetworkCapabilities.NET_CAPABILITY_NOT_METERED);
    shadowOf(cm).setNetworkCapabilities(cm.getActiveNetwork(), caps);
    BatteryManager bm = (BatteryManager) context.getSystemService(Context.BATTERY_SERVICE);
    shadowOf(bm).setIntProperty(BatteryManager.BATTERY_PROPERTY_CAPACITY, 80);
    shadowOf(bm).setIsCharging(false);
  }
}
