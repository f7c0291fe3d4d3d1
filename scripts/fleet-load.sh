#!/usr/bin/env bash
# Fleet load (docs/benchmarks.md, "Fleet load"): a relay with its embedded broker, a collector,
# and `tandem-agent simulate` with DEVICES devices for DURATION on the tiny test model.
# Prints the simulator's summary and the relay's throughput from its /metrics.
#
#   ./mvnw -B -q -o package -pl device-agent,cloud-relay -am -DskipTests
#   scripts/fleet-load.sh [DEVICES] [DURATION] [RATE_PER_DEVICE]      # default 200 5m 1
#   BROKER=mosquitto scripts/fleet-load.sh ...   # Mosquitto (/usr/sbin/mosquitto) instead of the relay's embedded broker
set -euo pipefail
DEVICES=${1:-200}
DURATION=${2:-5m}
RATE=${3:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
A=$ROOT/device-agent/target/tandem-agent.jar
R=$ROOT/cloud-relay/target/tandem-cloud-relay-0.1.0-SNAPSHOT.jar
W=${WORK:-$(mktemp -d /tmp/tandem-fleet-load.XXXXXX)}
PORT=${PORT:-18831}
METRICS=${METRICS:-19464}
mkdir -p "$W"
cp "$ROOT/device-agent/target/models/tiny-classifier.onnx" "$W/"
BROKER=${BROKER:-embedded}
BROKER_JSON=""
if [ "$BROKER" = mosquitto ]; then
  BROKER_JSON="\"broker\": {\"url\": \"tcp://127.0.0.1:$PORT\"},"
fi
cat > "$W/relay.json" <<JSON
{"relayId": "relay-1", $BROKER_JSON
 "models": [{"name": "tiny", "file": "tiny-classifier.onnx", "version": "1", "providers": ["cpu"],
             "intraOpThreads": 1}],
 "metrics": {"port": $METRICS}}
JSON
cat > "$W/prices.json" <<JSON
{"edge_usd_per_kwh": 0.30,
 "network_usd_per_gb": {"wifi": 0, "4g": 2.0, "3g": 2.0},
 "cloud": {"usd_per_1000_requests": 0.02}}
JSON

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

if [ "$BROKER" = mosquitto ]; then
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\nmax_queued_messages 10000\n' "$PORT" > "$W/mosquitto.conf"
  /usr/sbin/mosquitto -c "$W/mosquitto.conf" > "$W/mosquitto.log" 2>&1 &
  pids+=($!)
  sleep 1
  java -jar "$R" serve --config "$W/relay.json" > "$W/relay.log" 2>&1 &
else
  java -jar "$R" serve --embedded-broker --broker-port "$PORT" --config "$W/relay.json" > "$W/relay.log" 2>&1 &
fi
pids+=($!)
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$METRICS/readyz" > /dev/null && break; sleep 1; done
java -jar "$R" collect --broker "tcp://127.0.0.1:$PORT" --store "$W/store" --client-id collector-load \
  > "$W/collect.log" 2>&1 &
pids+=($!)
java -jar "$A" simulate --model "$W/tiny-classifier.onnx" --data "$W/data.jsonl" --generate 1000 --seed 7

ok_count() { curl -s "http://127.0.0.1:$METRICS/metrics" | awk '/^tandem_relay_requests_total\{.*status="ok"/ {s += $2} END {print s + 0}'; }
all_count() { curl -s "http://127.0.0.1:$METRICS/metrics" | awk '/^tandem_relay_requests_total\{/ {s += $2} END {print s + 0}'; }
ok0=$(ok_count); all0=$(all_count); t0=$(date +%s.%N)
set +e
java -jar "$A" simulate --broker "tcp://127.0.0.1:$PORT" --model "$W/tiny-classifier.onnx" --data "$W/data.jsonl" \
  --prices "$W/prices.json" --devices "$DEVICES" --duration "$DURATION" --rate "$RATE" --work-dir "$W/spools" \
  --drain-timeout 120s 2> "$W/simulate.err" | tee "$W/summary.txt"
status=${PIPESTATUS[0]}
set -e
t1=$(date +%s.%N); ok1=$(ok_count); all1=$(all_count)
records=$(find "$W/store" -name '*.jsonl' -exec cat {} + | wc -l)
python3 - "$ok0" "$ok1" "$all0" "$all1" "$t0" "$t1" "$records" <<'PY'
import sys
ok0, ok1, all0, all1, t0, t1, rec = map(float, sys.argv[1:])
print(f"relay: {all1 - all0:.0f} requests ({ok1 - ok0:.0f} ok) in {t1 - t0:.0f} s of simulate "
      f"(incl. start and drain); store: {rec:.0f} records")
PY
grep -c ' ERROR ' "$W/relay.log" "$W/collect.log" "$W/simulate.err" || true
echo "work dir: $W; simulate exit status $status"
exit "$status"
