package dev.tandem.sample;

import android.app.Activity;
import android.content.Intent;
import android.os.Bundle;
import android.os.Handler;
import android.os.Looper;
import android.text.InputType;
import android.view.Menu;
import android.view.MenuItem;
import android.view.ViewGroup;
import android.widget.ArrayAdapter;
import android.widget.Button;
import android.widget.EditText;
import android.widget.LinearLayout;
import android.widget.ListView;
import android.widget.TextView;
import dev.tandem.runtime.Decision;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The sample's one screen, built in code from framework widgets: type (or share to the app) a
 * message, and see how the runtime answered it — the answer, route and reason, confidence,
 * latency and cost — above a scrolling history of the recent decisions.
 */
public final class MainActivity extends Activity {
  /** Decisions kept in the history list. */
  static final int HISTORY_SIZE = 100;
  private static final int MENU_SETTINGS = 1;
  private static final int MENU_UPLOAD = 2;
  /** One worker: the model loads and classifies off the main thread, in the order asked. */
  private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tandem-sample");
    t.setDaemon(true);
    return t;
  });

  private final Handler main = new Handler(Looper.getMainLooper());
  private final List<String> history = new ArrayList<>();
  private final List<DecisionSummary> decisions = new ArrayList<>();
  private ArrayAdapter<String> historyAdapter;
  private EditText input;
  private Button classify;
  private TextView status;
  private TextView answer;
  private TextView route;
  private TextView reason;
  private TextView confidence;
  private TextView latency;
  private TextView cost;
  private TextView decisionId;
  private boolean destroyed;

  @Override
  protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    setContentView(layout());
    handleShare(getIntent());
  }

  @Override
  protected void onNewIntent(Intent intent) {
    super.onNewIntent(intent);
    handleShare(intent);
  }

  @Override
  protected void onResume() {
    super.onResume();
    startEngine(); // loads the model on first start; remade if the settings changed
  }

  @Override
  protected void onDestroy() {
    destroyed = true;
    super.onDestroy();
  }

  @Override
  public boolean onCreateOptionsMenu(Menu menu) {
    menu.add(Menu.NONE, MENU_SETTINGS, Menu.NONE, "Settings");
    menu.add(Menu.NONE, MENU_UPLOAD, Menu.NONE, "Upload records now");
    return true;
  }

  @Override
  public boolean onOptionsItemSelected(MenuItem item) {
    if (item.getItemId() == MENU_SETTINGS) {
      startActivity(new Intent(this, SettingsActivity.class));
      return true;
    }
    if (item.getItemId() == MENU_UPLOAD) {
      UploadScheduler.uploadSoon(this);
      status.setText("upload scheduled for when a network is there");
      return true;
    }
    return super.onOptionsItemSelected(item);
  }

  /** The summaries shown, newest first. */
  List<DecisionSummary> decisions() {
    return new ArrayList<>(decisions);
  }

  private void handleShare(Intent intent) {
    if (intent != null && Intent.ACTION_SEND.equals(intent.getAction()) && "text/plain".equals(intent.getType())) {
      CharSequence shared = intent.getCharSequenceExtra(Intent.EXTRA_TEXT);
      if (shared != null && shared.length() > 0) {
        input.setText(shared);
        classify(shared.toString());
      }
    }
  }

  private void startEngine() {
    WORKER.execute(() -> {
      try {
        SampleEngine e = EngineHolder.get(this);
        String line = DecisionSummary.providerLine(e.activeProvider()) + " · policy v" + e.policy().version()
            + " (" + e.settings().policySource() + ") · device " + e.settings().deviceId()
            + (e.settings().brokerUri().isEmpty() ? " · no relay configured" : " · relay " + e.settings().brokerUri());
        post(() -> status.setText(line));
      } catch (Exception ex) {
        post(() -> status.setText("cannot start: " + ex.getMessage()));
      }
    });
  }

  private void classify(String text) {
    if (text.trim().isEmpty()) {
      status.setText("type a message first");
      return;
    }
    classify.setEnabled(false);
    WORKER.execute(() -> {
      try {
        SampleEngine e = EngineHolder.get(this);
        Decision d = e.classify(text);
        DecisionSummary s = DecisionSummary.of(d, text);
        if (!e.settings().brokerUri().isEmpty()) {
          UploadScheduler.uploadSoon(this);
        }
        post(() -> show(s));
      } catch (Exception ex) {
        post(() -> {
          status.setText("classification failed: " + ex.getMessage());
          classify.setEnabled(true);
        });
      }
    });
  }

  private void show(DecisionSummary s) {
    answer.setText(s.answer());
    route.setText(s.route());
    reason.setText(s.reason());
    confidence.setText(s.confidence());
    latency.setText(s.latency());
    cost.setText(s.cost());
    decisionId.setText(s.id());
    decisions.add(0, s);
    history.add(0, s.historyLine());
    while (history.size() > HISTORY_SIZE) {
      history.remove(history.size() - 1);
      decisions.remove(decisions.size() - 1);
    }
    historyAdapter.notifyDataSetChanged();
    classify.setEnabled(true);
  }

  private void post(Runnable r) {
    main.post(() -> {
      if (!destroyed) {
        r.run();
      }
    });
  }

  private LinearLayout layout() {
    LinearLayout root = new LinearLayout(this);
    root.setOrientation(LinearLayout.VERTICAL);
    int pad = dp(12);
    root.setPadding(pad, pad, pad, pad);

    input = new EditText(this);
    input.setId(Ids.INPUT);
    input.setHint("Type or share a message");
    input.setInputType(InputType.TYPE_CLASS_TEXT | InputType.TYPE_TEXT_FLAG_MULTI_LINE);
    input.setMinLines(2);
    root.addView(input, matchWidth());

    classify = new Button(this);
    classify.setId(Ids.CLASSIFY);
    classify.setText("Classify");
    classify.setOnClickListener(v -> classify(input.getText().toString()));
    root.addView(classify, matchWidth());

    status = text(root, Ids.STATUS, "loading the edge model…");
    answer = row(root, "answer", Ids.ANSWER);
    route = row(root, "route", Ids.ROUTE);
    reason = row(root, "reason", Ids.REASON);
    confidence = row(root, "confidence", Ids.CONFIDENCE);
    latency = row(root, "latency", Ids.LATENCY);
    cost = row(root, "cost", Ids.COST);
    decisionId = row(root, "decision", Ids.DECISION_ID);

    TextView title = new TextView(this);
    title.setText("History");
    title.setPadding(0, dp(8), 0, 0);
    root.addView(title, matchWidth());
    ListView list = new ListView(this);
    list.setId(Ids.HISTORY);
    historyAdapter = new ArrayAdapter<>(this, android.R.layout.simple_list_item_1, history);
    list.setAdapter(historyAdapter);
    root.addView(list, new LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 0, 1f));
    return root;
  }

  private TextView row(LinearLayout root, String label, int id) {
    LinearLayout row = new LinearLayout(this);
    row.setOrientation(LinearLayout.HORIZONTAL);
    TextView name = new TextView(this);
    name.setText(label);
    name.setMinWidth(dp(96));
    row.addView(name);
    TextView value = new TextView(this);
    value.setId(id);
    value.setText("-");
    row.addView(value);
    root.addView(row, matchWidth());
    return value;
  }

  private TextView text(LinearLayout root, int id, String initial) {
    TextView t = new TextView(this);
    t.setId(id);
    t.setText(initial);
    root.addView(t, matchWidth());
    return t;
  }

  private static LinearLayout.LayoutParams matchWidth() {
    return new LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ViewGroup.LayoutParams.WRAP_CONTENT);
  }

  private int dp(int v) {
    return Math.round(v * getResources().getDisplayMetrics().density);
  }
}
