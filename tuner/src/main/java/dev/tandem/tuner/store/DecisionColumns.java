package dev.tandem.tuner.store;

import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.OffloaderState;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.RoundTripSnapshot;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.signal.Signals;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A run of decisions read column by column ({@link StoreReader#scanDecisions}): what the tuner
 * keeps of each decision, with its label and late reply joined, for whole devices (every device
 * of the run is complete in it), devices in name order and each device's decisions in sequence
 * order, deduplicated. The recorded context and decided route come back as the runtime's own
 * values ({@link #context}, {@link #decided}), so a replay sees exactly what the live decision
 * saw. Not thread-safe; valid only during the call it is handed to (the reader fills it again
 * for a later run).
 */
public final class DecisionColumns {
  private static final float[] NO_PROBABILITIES = new float[0];
  static final NetworkType[] NETWORKS = NetworkType.values();
  static final OffloaderState[] OFFLOADERS = OffloaderState.values();
  static final Route[] ROUTES = Route.values();
  static final Reason[] REASONS = Reason.values();
  static final OffloadStatus[] STATUSES = OffloadStatus.values();

  final List<String> devices = new ArrayList<>();
  /** Row where device d starts; {@code deviceStart[devices.size()]} is the row count. */
  int[] deviceStart = new int[16];
  List<String> deviceClasses;
  List<String> edgeModelHashes;
  int rows;
  long expectedDecisions;
  /** The row of each position: positions are in device and sequence order. */
  int[] order;

  long[] seq;
  long[] timeMs;
  int[] edgeModelHash;
  long[] policyVersion;
  byte[] route;
  byte[] decidedRoute;
  byte[] decidedReason;
  boolean[] explored;
  double[] propensity;
  boolean[] hasSignals;
  int[] top1;
  double[] maxProb;
  double[] margin;
  double[] entropy;
  byte[] network;
  boolean[] metered;
  int[] batteryPercent;
  boolean[] charging;
  int[] deviceClass;
  long[] payloadBytes;
  byte[] offloader;
  double[] elapsedMs;
  double[] budgetAvailableUsd;
  double[] expectedOffloadUsd;
  int[] rtSamples;
  double[] rtEwmaMs;
  double[] rtP95Ms;
  long[] rtSinceLastAttemptMs;
  double[] draw;
  boolean[] hasEdge;
  int[] edgePrediction;
  /** 1 + the status's ordinal, 0 without a request. */
  byte[] cloudStatus;
  int[] cloudPrediction;
  double[] cloudRoundTripMs;
  int[] lateReplyPrediction;
  int[] label;
  double[] edgeUsd;
  double[] networkUsd;
  double[] cloudUsd;
  double[] latencyMs;

  DecisionColumns(List<String> deviceClasses, List<String> edgeModelHashes, int capacity) {
    reset(deviceClasses, edgeModelHashes, capacity);
  }

  /** Empties this for another run of up to {@code capacity} rows, keeping its arrays when they are large enough. */
  void reset(List<String> deviceClasses, List<String> edgeModelHashes, int capacity) {
    this.deviceClasses = deviceClasses;
    this.edgeModelHashes = edgeModelHashes;
    rows = 0;
    order = null;
    devices.clear();
    lastState = null;
    lastStateRow = -1;
    if (seq != null && seq.length >= capacity) {
      return;
    }
    seq = new long[capacity];
    timeMs = new long[capacity];
    edgeModelHash = new int[capacity];
    policyVersion = new long[capacity];
    route = new byte[capacity];
    decidedRoute = new byte[capacity];
    decidedReason = new byte[capacity];
    explored = new boolean[capacity];
    propensity = new double[capacity];
    hasSignals = new boolean[capacity];
    top1 = new int[capacity];
    maxProb = new double[capacity];
    margin = new double[capacity];
    entropy = new double[capacity];
    network = new byte[capacity];
    metered = new boolean[capacity];
    batteryPercent = new int[capacity];
    charging = new boolean[capacity];
    deviceClass = new int[capacity];
    payloadBytes = new long[capacity];
    offloader = new byte[capacity];
    elapsedMs = new double[capacity];
    budgetAvailableUsd = new double[capacity];
    expectedOffloadUsd = new double[capacity];
    rtSamples = new int[capacity];
    rtEwmaMs = new double[capacity];
    rtP95Ms = new double[capacity];
    rtSinceLastAttemptMs = new long[capacity];
    draw = new double[capacity];
    hasEdge = new boolean[capacity];
    edgePrediction = new int[capacity];
    cloudStatus = new byte[capacity];
    cloudPrediction = new int[capacity];
    cloudRoundTripMs = new double[capacity];
    lateReplyPrediction = new int[capacity];
    label = new int[capacity];
    edgeUsd = new double[capacity];
    networkUsd = new double[capacity];
    cloudUsd = new double[capacity];
    latencyMs = new double[capacity];
  }

  /**
   * About how many decisions the whole scan holds (counted in Parquet files, estimated from the
   * size of JSON-lines files; before deduplication and the date range): room to reserve.
   */
  public long expectedDecisions() {
    return expectedDecisions;
  }

  /** Devices of this run, in name order. */
  public List<String> devices() {
    return Collections.unmodifiableList(devices);
  }

  /** Starts device {@code id} at position {@code at}. */
  void beginDevice(String id, int at) {
    if (devices.size() + 2 > deviceStart.length) {
      deviceStart = java.util.Arrays.copyOf(deviceStart, deviceStart.length * 2);
    }
    deviceStart[devices.size()] = at;
    devices.add(id);
    deviceStart[devices.size()] = at;
  }

  /** Ends the current device before position {@code at}. */
  void endDevice(int at) {
    deviceStart[devices.size()] = at;
  }

  /** The first position of device {@code d}. */
  public int deviceStart(int d) {
    return deviceStart[d];
  }

  /** One past the last position of device {@code d}. */
  public int deviceEnd(int d) {
    return deviceStart[d + 1];
  }

  public int rows() {
    return rows;
  }

  /** The decision's id, {@code device:seq}. */
  public String id(int d, int i) {
    return devices.get(d) + ":" + seq[order[i]];
  }

  public long timeMs(int i) {
    return timeMs[order[i]];
  }

  public String edgeModelHash(int i) {
    return edgeModelHashes.get(edgeModelHash[order[i]]);
  }

  public long policyVersion(int i) {
    return policyVersion[order[i]];
  }

  /** Whether the edge model ran (and its signals are in the context). */
  public boolean hasEdge(int i) {
    return hasEdge[order[i]] && hasSignals[order[i]];
  }

  /** The recorded context: every input of {@code Policy.decide}. */
  public DecisionContext context(int i) {
    int r = order[i];
    DecisionContext.Builder b = DecisionContext.builder().policyVersion(policyVersion[r])
        .edgeModelHash(edgeModelHashes.get(edgeModelHash[r]));
    if (hasSignals[r]) {
      b.signals(Signals.of(NO_PROBABILITIES, top1[r], maxProb[r], margin[r], entropy[r]));
    }
    return b.device(deviceState(r)).payloadBytes(payloadBytes[r]).offloader(OFFLOADERS[offloader[r]])
        .elapsedMs(elapsedMs[r]).budgetAvailableUsd(budgetAvailableUsd[r]).expectedOffloadUsd(expectedOffloadUsd[r])
        .roundTrip(RoundTripSnapshot.of(rtSamples[r], rtEwmaMs[r], rtP95Ms[r], rtSinceLastAttemptMs[r]))
        .draw(draw[r]).build();
  }

  private DeviceState lastState;
  private int lastStateRow = -1;

  /** The device state of row r: a device's state rarely changes, so the last one is reused when equal. */
  private DeviceState deviceState(int r) {
    int p = lastStateRow;
    if (p < 0 || network[p] != network[r] || metered[p] != metered[r] || batteryPercent[p] != batteryPercent[r]
        || charging[p] != charging[r] || deviceClass[p] != deviceClass[r]) {
      lastState = DeviceState.builder().networkType(NETWORKS[network[r]]).metered(metered[r])
          .batteryPercent(batteryPercent[r]).charging(charging[r]).deviceClass(deviceClasses.get(deviceClass[r]))
          .build();
    }
    lastStateRow = r;
    return lastState;
  }

  /** What {@code Policy.decide} returned when the decision was made. */
  public RouteDecision decided(int i) {
    return RouteDecision.of(ROUTES[decidedRoute[order[i]]], REASONS[decidedReason[order[i]]], propensity[order[i]], explored[order[i]]);
  }

  /** The outcome route ({@code edge_fallback} where a request got no usable answer). */
  public Route route(int i) {
    return ROUTES[route[order[i]]];
  }

  /** The edge's top-1 class. */
  public int edgePrediction(int i) {
    return edgePrediction[order[i]];
  }

  /** The status of the request sent, or empty when none was. */
  public OffloadStatus cloudStatus(int i) {
    return cloudStatus[order[i]] == 0 ? null : STATUSES[cloudStatus[order[i]] - 1];
  }

  /** The cloud's answer in time, -1 without one. */
  public int cloudPrediction(int i) {
    return cloudPrediction[order[i]];
  }

  /** The request's round trip as the device measured it, -1 without a reply. */
  public double cloudRoundTripMs(int i) {
    return cloudRoundTripMs[order[i]];
  }

  /** The answer of the first late reply, when that reply was {@code ok}; else -1. */
  public int lateReplyPrediction(int i) {
    return lateReplyPrediction[order[i]];
  }

  /** The label the app reported last, -1 when none. */
  public int label(int i) {
    return label[order[i]];
  }

  public double edgeUsd(int i) {
    return edgeUsd[order[i]];
  }

  public double networkUsd(int i) {
    return networkUsd[order[i]];
  }

  public double cloudUsd(int i) {
    return cloudUsd[order[i]];
  }

  public double latencyMs(int i) {
    return latencyMs[order[i]];
  }
}
