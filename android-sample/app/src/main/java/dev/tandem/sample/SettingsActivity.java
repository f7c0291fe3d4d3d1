package dev.tandem.sample;

import android.app.Activity;
import android.os.Bundle;
import android.text.InputType;
import android.view.ViewGroup;
import android.widget.Button;
import android.widget.EditText;
import android.widget.LinearLayout;
import android.widget.RadioButton;
import android.widget.RadioGroup;
import android.widget.ScrollView;
import android.widget.TextView;

/**
 * The settings screen, built in code: the relay's broker URI, device id, fleet, broker user and
 * password, the broker's CA certificate, and the policy source. Saved to the app's private
 * preferences; the engine is remade with them when the main screen resumes.
 */
public final class SettingsActivity extends Activity {
  private EditText broker;
  private EditText deviceId;
  private EditText fleet;
  private EditText username;
  private EditText password;
  private EditText caPem;
  private RadioGroup policySource;
  private EditText policyJson;
  private TextView error;

  @Override
  protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    SampleSettings s = SampleSettings.load(this);
    LinearLayout root = new LinearLayout(this);
    root.setOrientation(LinearLayout.VERTICAL);
    int pad = Math.round(12 * getResources().getDisplayMetrics().density);
    root.setPadding(pad, pad, pad, pad);

    broker = field(root, Ids.BROKER, "Broker URI (ssl://host:8883; empty: no relay)", s.brokerUri(),
        InputType.TYPE_CLASS_TEXT | InputType.TYPE_TEXT_VARIATION_URI);
    deviceId = field(root, Ids.DEVICE_ID, "Device id", s.deviceId(), InputType.TYPE_CLASS_TEXT);
    fleet = field(root, Ids.FLEET, "Fleet", s.fleet(), InputType.TYPE_CLASS_TEXT);
    username = field(root, Ids.USERNAME, "Broker user (empty: none)", s.username(), InputType.TYPE_CLASS_TEXT);
    password = field(root, Ids.PASSWORD, "Broker password", s.password(),
        InputType.TYPE_CLASS_TEXT | InputType.TYPE_TEXT_VARIATION_PASSWORD);
    caPem = field(root, Ids.CA_PEM, "Broker CA certificate, PEM (empty: the system's)", s.caPem(),
        InputType.TYPE_CLASS_TEXT | InputType.TYPE_TEXT_FLAG_MULTI_LINE);
    TextView sourceLabel = new TextView(this);
    sourceLabel.setText("Policy source");
    root.addView(sourceLabel);
    policySource = new RadioGroup(this);
    policySource.setId(Ids.POLICY_SOURCE);
    source(Ids.POLICY_BUNDLED, "The bundled policy.json");
    source(Ids.POLICY_BROKER, "The fleet's policy topic on the broker (validated; last good kept)");
    source(Ids.POLICY_INLINE, "The policy JSON below");
    policySource.check(SampleSettings.POLICY_INLINE.equals(s.policySource()) ? Ids.POLICY_INLINE
        : SampleSettings.POLICY_BROKER.equals(s.policySource()) ? Ids.POLICY_BROKER : Ids.POLICY_BUNDLED);
    root.addView(policySource);
    policyJson = field(root, Ids.POLICY_JSON, "Policy JSON (docs/policy.md)", s.policyJson(),
        InputType.TYPE_CLASS_TEXT | InputType.TYPE_TEXT_FLAG_MULTI_LINE);

    Button save = new Button(this);
    save.setId(Ids.SAVE);
    save.setText("Save");
    save.setOnClickListener(v -> save());
    root.addView(save);
    error = new TextView(this);
    error.setId(Ids.ERROR);
    root.addView(error);

    ScrollView scroll = new ScrollView(this);
    scroll.addView(root);
    setContentView(scroll);
  }

  private void save() {
    try {
      SampleSettings.builder()
          .brokerUri(broker.getText().toString())
          .deviceId(deviceId.getText().toString())
          .fleet(fleet.getText().toString())
          .username(username.getText().toString())
          .password(password.getText().toString())
          .caPem(caPem.getText().toString())
          .policySource(policySource())
          .policyJson(policyJson.getText().toString())
          .build()
          .save(this);
      finish();
    } catch (IllegalStateException e) {
      error.setText(e.getMessage());
    }
  }

  private void source(int id, String label) {
    RadioButton b = new RadioButton(this);
    b.setId(id);
    b.setText(label);
    policySource.addView(b);
  }

  private String policySource() {
    int checked = policySource.getCheckedRadioButtonId();
    return checked == Ids.POLICY_INLINE ? SampleSettings.POLICY_INLINE
        : checked == Ids.POLICY_BROKER ? SampleSettings.POLICY_BROKER : SampleSettings.POLICY_BUNDLED;
  }

  private EditText field(LinearLayout root, int id, String label, String value, int inputType) {
    TextView name = new TextView(this);
    name.setText(label);
    root.addView(name);
    EditText e = new EditText(this);
    e.setId(id);
    e.setInputType(inputType);
    e.setText(value);
    root.addView(e, new LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT,
        ViewGroup.LayoutParams.WRAP_CONTENT));
    return e;
  }
}
