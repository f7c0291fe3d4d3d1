#!/usr/bin/env bash
# Smoke test of the device agent on linux-aarch64, emulated on an x86-64 Debian host.
#
# Runs the edge model on the same messages twice -- natively on x86-64, then as an arm64 JVM
# (Debian's openjdk-17 for arm64) under qemu user-mode emulation -- and compares the two:
# top-1 equal on every message and every probability within the tolerance. Prints the count,
# the max difference and both wall times; exits non-zero with a message on any failure.
#
# Leaves the machine's package configuration as it found it: no apt-get install, no dpkg
# architecture added. Packages are downloaded with apt through a private state directory and
# unpacked with dpkg -x into a cache (default ~/.cache/tandem/arm64); re-runs reuse it.
#
# See docs/arm64.md. Usage: scripts/arm64-smoke.sh [--messages N] [--cpu NAME] [--tolerance T]
#   [--timeout SECONDS] [--cache DIR] [--out DIR] [--build DIR] [--model edge|edge-fp32] [--trace ID]
# --build: a reference build folder (default: the one `tandem-workload build` finds or makes).
# --trace: also record every float intermediate of message ID on both machines and compare them
#   tensor by tensor (OUT/trace.txt: where the two runs part); a diagnostic, not a check.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MESSAGES=300
CPU=neoverse-n1
TOLERANCE=1e-3
TIMEOUT=5400
CACHE=${TANDEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem}/arm64
OUT=$ROOT/target/arm64-smoke
BUILD=
MODEL_NAME=edge
TRACE_ID=
JDK_PACKAGE=openjdk-17-jre-headless
JAVA_ARM64=usr/lib/jvm/java-17-openjdk-arm64/bin/java

die() { echo "arm64-smoke: FAILED: $*" >&2; exit 1; }
say() { echo "arm64-smoke: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --messages) MESSAGES=$2; shift 2 ;;
    --cpu) CPU=$2; shift 2 ;;
    --tolerance) TOLERANCE=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --cache) CACHE=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --model) MODEL_NAME=$2; shift 2 ;;
    --trace) TRACE_ID=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ $MESSAGES =~ ^[1-9][0-9]*$ ]] || die "--messages must be a positive integer, got '$MESSAGES'"

# The emulated CPU's identification (MIDR_EL1 of qemu's model of it) for the arm64
# /proc/cpuinfo; the Features line is read from the emulated CPU itself (AT_HWCAP) below.
case "$CPU" in
  neoverse-n1) MIDR=(0x41 0x4 0xd0c 1) ;;  # qemu: midr 0x414fd0c1, r4p1
  cortex-a76)  MIDR=(0x41 0x4 0xd0b 1) ;;  # qemu: midr 0x414fd0b1, r4p1
  cortex-a72)  MIDR=(0x41 0x0 0xd08 3) ;;  # qemu: midr 0x410fd083, r0p3
  max) die "qemu's '-cpu max' has no real CPU's identification; ONNX Runtime misreads it. Use neoverse-n1, cortex-a76 or cortex-a72" ;;
  *) die "--cpu '$CPU' is not supported; use neoverse-n1, cortex-a76 or cortex-a72" ;;
esac

[ "$(uname -m)" = x86_64 ] || die "this script emulates arm64 on an x86-64 host; on an arm64 machine run the smoke test natively (docs/arm64.md)"
for tool in apt-get dpkg java jar timeout; do
  command -v "$tool" >/dev/null || die "'$tool' not found (a Debian host with a JDK 17 is needed)"
done

# ---------------------------------------------------------------- packages
# A private apt state: its own lists, cache and an empty dpkg status, so resolution starts
# from nothing and nothing under /var/lib/apt, /var/lib/dpkg or /etc/apt is written.
apt_opts() { # $1 = architecture, $2 = state dir
  local a=$1 s=$2
  mkdir -p "$s/lists/partial" "$s/cache/archives/partial"
  [ -e "$s/status" ] || : >"$s/status"
  printf '%s\n' "-oAPT::Architecture=$a" "-oAPT::Architectures=$a" \
    "-oDir::State::Lists=$s/lists" "-oDir::Cache=$s/cache" "-oDir::State::status=$s/status" \
    "-oDebug::NoLocking=1" "-oAPT::Sandbox::User=$(id -un)" "-oAcquire::Languages=none"
}

# Lists are refreshed once a day at most.
apt_update() { # $1 = state dir, rest = options
  local s=$1; shift
  if [ -z "$(find "$s/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
    say "apt update (private state in $s)"
    apt-get -q "$@" update >"$s/update.log" 2>&1 || { cat "$s/update.log" >&2; die "apt-get update failed"; }
  fi
}

# Downloads name=version pairs (from stdin) into $1 unless already there; echoes the files.
download() { # $1 = dir, rest = options
  local dir=$1; shift
  mkdir -p "$dir"
  local want=() files=() name ver f
  while read -r name ver; do
    f=$(printf '%s_%s_' "$name" "${ver//:/%3a}")
    local hit
    hit=$(find "$dir" -maxdepth 1 -name "$f*.deb" | head -1)
    if [ -z "$hit" ]; then want+=("$name=$ver"); fi
    files+=("$f")
  done
  if [ ${#want[@]} -gt 0 ]; then
    say "downloading ${#want[@]} packages into $dir"
    (cd "$dir" && apt-get -q "$@" download "${want[@]}" >"$dir/download.log" 2>&1) \
      || { cat "$dir/download.log" >&2; die "apt-get download failed"; }
  fi
  for f in "${files[@]}"; do
    find "$dir" -maxdepth 1 -name "$f*.deb" | head -1
  done
}

unpack() { # $1 = target dir, stdin = .deb files; absolute links become relative, so the
  local dest=$1 d   # sysroot never points into the host's own /etc or /usr
  mkdir -p "$dest"
  while read -r d; do dpkg -x "$d" "$dest" || die "dpkg -x $d failed"; done
  find "$dest" -type l -lname '/*' -print0 | while IFS= read -r -d '' l; do
    local t; t=$(readlink "$l")
    ln -snf "$(realpath -m --relative-to="$(dirname "$l")" "$dest$t")" "$l"
  done
}

# What "the machine's package configuration" means here; compared again at the end.
pkg_fingerprint() {
  { dpkg --print-foreign-architectures; md5sum /var/lib/dpkg/status
    find /etc/apt /var/lib/apt/lists -maxdepth 2 -printf '%p %s %T@\n' 2>/dev/null | sort; } | md5sum
}
PKG_BEFORE=$(pkg_fingerprint)

mkdir -p "$CACHE"
ARM_STATE=$CACHE/apt-arm64
mapfile -t ARM < <(apt_opts arm64 "$ARM_STATE")
apt_update "$ARM_STATE" "${ARM[@]}"
# Resolve the JRE's runtime dependencies the way apt would on an empty arm64 system.
apt-get "${ARM[@]}" install -s --no-install-recommends "$JDK_PACKAGE" >"$ARM_STATE/resolve.txt" 2>&1 \
  || { cat "$ARM_STATE/resolve.txt" >&2; die "cannot resolve $JDK_PACKAGE for arm64"; }
awk '/^Inst /{gsub(/[()]/, "", $3); print $2, $3}' "$ARM_STATE/resolve.txt" | sort >"$ARM_STATE/manifest.new"
[ -s "$ARM_STATE/manifest.new" ] || die "apt resolved no packages for $JDK_PACKAGE (are arm64 packages in this host's apt sources?)"

SYSROOT=$CACHE/sysroot
if ! cmp -s "$ARM_STATE/manifest.new" "$SYSROOT/.manifest"; then
  say "building the arm64 sysroot ($(wc -l <"$ARM_STATE/manifest.new") packages)"
  rm -rf "$SYSROOT.tmp"
  download "$CACHE/debs-arm64" "${ARM[@]}" <"$ARM_STATE/manifest.new" | unpack "$SYSROOT.tmp"
  cp "$ARM_STATE/manifest.new" "$SYSROOT.tmp/.manifest"
  rm -rf "$SYSROOT" && mv "$SYSROOT.tmp" "$SYSROOT"
fi
[ -x "$SYSROOT/$JAVA_ARM64" ] || die "no arm64 java at $SYSROOT/$JAVA_ARM64"

HOST_ARCH=$(dpkg --print-architecture)
HOST_STATE=$CACHE/apt-$HOST_ARCH
mapfile -t HOST < <(apt_opts "$HOST_ARCH" "$HOST_STATE")
QEMU_DIR=$CACHE/qemu
QEMU=$QEMU_DIR/usr/bin/qemu-aarch64-static
if [ ! -x "$QEMU" ]; then
  apt_update "$HOST_STATE" "${HOST[@]}"
  qver=$(apt-cache "${HOST[@]}" policy qemu-user-static | awk '/Candidate:/{print $2}')
  [ -n "$qver" ] && [ "$qver" != "(none)" ] || die "qemu-user-static not found in this host's apt sources"
  rm -rf "$QEMU_DIR.tmp"
  echo "qemu-user-static $qver" | download "$CACHE/debs-$HOST_ARCH" "${HOST[@]}" | unpack "$QEMU_DIR.tmp"
  # Only the aarch64 emulator is needed of the package's ~30 (370 MB unpacked).
  find "$QEMU_DIR.tmp/usr/bin" -type f ! -name qemu-aarch64-static -delete
  rm -rf "$QEMU_DIR.tmp/usr/share" "$QEMU_DIR" && mv "$QEMU_DIR.tmp" "$QEMU_DIR"
fi
QEMU_VERSION=$("$QEMU" --version | head -1)

# ---------------------------------------------------------------- /proc/cpuinfo
# qemu-user (7.2) passes the host's /proc/cpuinfo through to an aarch64 guest, except that
# -L serves any path that exists in the sysroot from there. ONNX Runtime's CPU detection
# crashes on the x86 file, so the sysroot carries an arm64 one describing the emulated CPU.
hwcap=$(LD_SHOW_AUXV=1 "$QEMU" -L "$SYSROOT" -cpu "$CPU" "$SYSROOT/lib/ld-linux-aarch64.so.1" --version \
  | awk '$1=="AT_HWCAP:"{print $2}')
[ -n "$hwcap" ] || die "could not read AT_HWCAP of the emulated $CPU"
HWCAP_NAMES=(fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt
  fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs sb paca pacg)
features=()
for i in "${!HWCAP_NAMES[@]}"; do
  if (( (0x${hwcap#0x} >> i) & 1 )); then features+=("${HWCAP_NAMES[$i]}"); fi
done
mkdir -p "$SYSROOT/proc"
{
  for ((i = 0; i < $(getconf _NPROCESSORS_CONF); i++)); do
    printf 'processor\t: %d\nBogoMIPS\t: 50.00\nFeatures\t: %s\n' "$i" "${features[*]}"
    printf 'CPU implementer\t: %s\nCPU architecture: 8\nCPU variant\t: %s\nCPU part\t: %s\nCPU revision\t: %s\n\n' "${MIDR[@]}"
  done
} >"$SYSROOT/proc/cpuinfo"
cpu_model=$("$QEMU" -L "$SYSROOT" -cpu "$CPU" "$SYSROOT/usr/bin/lscpu" 2>/dev/null | awk -F: '/Model name/{gsub(/^ +/, "", $2); print $2}')
say "emulated CPU: $CPU (lscpu in the sysroot: ${cpu_model:-unknown}), features: ${features[*]}"

# ---------------------------------------------------------------- build and data
mkdir -p "$OUT"
mvn_quiet() { # offline first (the shared local repository usually has everything), then online
  (cd "$ROOT" && { ./mvnw -B -q -o "$@" >"$OUT/build.log" 2>&1 || ./mvnw -B -q "$@" >"$OUT/build.log" 2>&1; }) \
    || { tail -40 "$OUT/build.log" >&2; die "build failed: ./mvnw $* (log: $OUT/build.log)"; }
}
MODULES=device-agent
[ -n "$BUILD" ] || MODULES=device-agent,workload
say "building $MODULES (package, no tests)"
mvn_quiet package -pl "$MODULES" -am -DskipTests
AGENT_JAR=$ROOT/device-agent/target/tandem-agent.jar
[ -f "$AGENT_JAR" ] || die "no $AGENT_JAR after the build"

# The edge model and the messages: the reference build's fused int8 classifier and its test
# part (workload module, `tandem-workload build`, cached under $TANDEM_CACHE/models), built
# natively first if it is not there yet -- never under emulation.
if [ -z "$BUILD" ]; then
  WORKLOAD_JAR=$ROOT/workload/target/tandem-workload.jar
  [ -f "$WORKLOAD_JAR" ] || die "no $WORKLOAD_JAR after the build"
  say "the reference models (tandem-workload build; the first build takes a while)"
  java -jar "$WORKLOAD_JAR" build >"$OUT/workload-build.txt" 2>"$OUT/workload-build.log" \
    || { tail -20 "$OUT/workload-build.log" >&2; die "tandem-workload build failed (log: $OUT/workload-build.log)"; }
  BUILD=$(awk '$1=="build:"{print $2}' "$OUT/workload-build.txt")
fi
[ -f "$BUILD/models.json" ] || die "no reference build at '$BUILD' (models.json missing)"
[ "$(wc -l <"$BUILD/test.jsonl")" -ge "$MESSAGES" ] || die "the build's test part has fewer than $MESSAGES messages"
SOURCE=(--build "$BUILD" --name "$MODEL_NAME")
say "model: $MODEL_NAME of $BUILD; messages: the first $MESSAGES of its test part"

# ---------------------------------------------------------------- the two runs
QEMU_JAVA=("$QEMU" -L "$SYSROOT" -cpu "$CPU" "$SYSROOT/$JAVA_ARM64" -XX:TieredStopAtLevel=1)
rm -rf "$OUT/tmp-x86_64" "$OUT/tmp-aarch64"
rm -f "$OUT"/{x86_64,aarch64}.{jsonl,log} "$OUT"/{compare,summary}.txt "$OUT"/infer-*.txt \
  "$OUT"/trace.txt "$OUT"/trace-*.{dump,log}
mkdir -p "$OUT/tmp-x86_64" "$OUT/tmp-aarch64"

# First the agent's own command line, as the README runs it, on its tiny example model.
INFER=(-jar "$AGENT_JAR" infer --model "$ROOT/device-agent/target/models/tiny-classifier.onnx"
  --input 'features:float32[1,4]=1,2,3,4')
java -Djava.io.tmpdir="$OUT/tmp-x86_64" "${INFER[@]}" >"$OUT/infer-x86_64.txt" 2>&1 \
  || { cat "$OUT/infer-x86_64.txt" >&2; die "tandem-agent infer failed on x86-64"; }
timeout 600 "${QEMU_JAVA[@]}" -Djava.io.tmpdir="$OUT/tmp-aarch64" "${INFER[@]}" >"$OUT/infer-aarch64.txt" 2>&1 \
  || { cat "$OUT/infer-aarch64.txt" >&2; die "tandem-agent infer failed on arm64 (log: $OUT/infer-aarch64.txt)"; }
say "tandem-agent infer on arm64: ok ($OUT/infer-aarch64.txt)"

SMOKE=(dev.tandem.agent.smoke.SmokeTest run "${SOURCE[@]}" --limit "$MESSAGES")
say "x86-64: $(java -version 2>&1 | head -1)"
t0=$(date +%s.%N)
java -Djava.io.tmpdir="$OUT/tmp-x86_64" -cp "$AGENT_JAR" "${SMOKE[@]}" --out "$OUT/x86_64.jsonl" 2>"$OUT/x86_64.log" \
  || { cat "$OUT/x86_64.log" >&2; die "the x86-64 run failed"; }
t1=$(date +%s.%N)

say "arm64 under $QEMU_VERSION, -cpu $CPU (slow: emulated)"
set +e
timeout "$TIMEOUT" "${QEMU_JAVA[@]}" -Djava.io.tmpdir="$OUT/tmp-aarch64" -cp "$AGENT_JAR" "${SMOKE[@]}" --out "$OUT/aarch64.jsonl" 2>"$OUT/aarch64.log"
rc=$?
set -e
t2=$(date +%s.%N)
if [ $rc -eq 124 ]; then die "the arm64 run took longer than ${TIMEOUT}s (--timeout)"; fi
[ $rc -eq 0 ] || { tail -40 "$OUT/aarch64.log" >&2; die "the arm64 run failed (exit $rc, log: $OUT/aarch64.log)"; }
grep -q '^aarch64:' "$OUT/aarch64.log" || die "the emulated run did not report os.arch=aarch64"

# ---------------------------------------------------------------- compare
set +e
java -cp "$AGENT_JAR" dev.tandem.agent.smoke.SmokeTest compare "$OUT/x86_64.jsonl" "$OUT/aarch64.jsonl" \
  --tolerance "$TOLERANCE" >"$OUT/compare.txt" 2>&1
rc=$?
set -e
# ---------------------------------------------------------------- trace (optional)
# Every float intermediate of one message on both machines, compared tensor by tensor: shows
# where the two runs part. trace-compare exits 1 when the traces differ; that is its finding,
# not a failure of the script.
if [ -n "$TRACE_ID" ]; then
  TRACE=(dev.tandem.agent.smoke.SmokeTest trace "${SOURCE[@]}" --id "$TRACE_ID")
  say "trace of '$TRACE_ID' on x86-64"
  java -Djava.io.tmpdir="$OUT/tmp-x86_64" -cp "$AGENT_JAR" "${TRACE[@]}" --out "$OUT/trace-x86_64.dump" 2>"$OUT/trace-x86_64.log" \
    || { cat "$OUT/trace-x86_64.log" >&2; die "the x86-64 trace failed"; }
  say "trace of '$TRACE_ID' on arm64 (emulated)"
  timeout "$TIMEOUT" "${QEMU_JAVA[@]}" -Djava.io.tmpdir="$OUT/tmp-aarch64" -cp "$AGENT_JAR" "${TRACE[@]}" --out "$OUT/trace-aarch64.dump" 2>"$OUT/trace-aarch64.log" \
    || { tail -40 "$OUT/trace-aarch64.log" >&2; die "the arm64 trace failed (log: $OUT/trace-aarch64.log)"; }
  set +e
  java -cp "$AGENT_JAR" dev.tandem.agent.smoke.SmokeTest trace-compare "$OUT/trace-x86_64.dump" "$OUT/trace-aarch64.dump" >"$OUT/trace.txt" 2>&1
  trc=$?
  set -e
  [ $trc -le 1 ] || { cat "$OUT/trace.txt" >&2; die "trace-compare failed (exit $trc)"; }
fi

{
  echo "command: scripts/arm64-smoke.sh --messages $MESSAGES --cpu $CPU --tolerance $TOLERANCE --model $MODEL_NAME${TRACE_ID:+ --trace $TRACE_ID}"
  echo "model: $MODEL_NAME of $BUILD (sha256 $(sha256sum "$BUILD/$MODEL_NAME.onnx" 2>/dev/null | cut -c1-12))"
  echo "x86-64 java: $(java -version 2>&1 | head -1)"
  echo "arm64 java: $(awk '/^openjdk-17-jre-headless /{print $2}' "$SYSROOT/.manifest") under $QEMU_VERSION -cpu $CPU"
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN{printf "wall: x86-64 %.1f s, arm64 (emulated) %.1f s\n", b-a, c-b}'
  grep -h 'messages in' "$OUT/x86_64.log" "$OUT/aarch64.log"
  cat "$OUT/compare.txt"
  if [ -n "$TRACE_ID" ]; then
    echo "trace (trace.txt):"
    sed -n '/^optimized graph/p;/^first /p' "$OUT/trace.txt" | sed 's/^/  /'
  fi
  if [ "$(pkg_fingerprint)" = "$PKG_BEFORE" ]; then
    echo "package configuration: unchanged (dpkg status, architectures, /etc/apt, apt lists)"
  else
    echo "package configuration: CHANGED during the run (by this script or by someone else)"
  fi
} | tee "$OUT/summary.txt"
[ $rc -eq 0 ] || die "x86-64 and arm64 results disagree: $(head -1 "$OUT/compare.txt") (see $OUT/compare.txt)"
say "PASS (summary: $OUT/summary.txt)"
