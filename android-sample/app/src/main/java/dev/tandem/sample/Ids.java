package dev.tandem.sample;

/** View ids of the screens, which are built in code (the app has no resources). */
final class Ids {
  static final int INPUT = 0x10001;
  static final int CLASSIFY = 0x10002;
  static final int STATUS = 0x10003;
  static final int ANSWER = 0x10004;
  static final int ROUTE = 0x10005;
  static final int REASON = 0x10006;
  static final int CONFIDENCE = 0x10007;
  static final int LATENCY = 0x10008;
  static final int COST = 0x10009;
  static final int DECISION_ID = 0x1000a;
  static final int HISTORY = 0x1000b;

  static final int BROKER = 0x20001;
  static final int DEVICE_ID = 0x20002;
  static final int FLEET = 0x20003;
  static final int USERNAME = 0x20004;
  static final int PASSWORD = 0x20005;
  static final int CA_PEM = 0x20006;
  static final int POLICY_SOURCE = 0x20007;
  static final int POLICY_BUNDLED = 0x2000b;
  static final int POLICY_BROKER = 0x2000c;
  static final int POLICY_INLINE = 0x2000d;
  static final int POLICY_JSON = 0x20008;
  static final int SAVE = 0x20009;
  static final int ERROR = 0x2000a;

  private Ids() {}
}
