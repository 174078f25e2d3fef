#!/usr/bin/env bash
# Compression benchmark (issue #5): one compressible log file (~500 MiB of access-log-like text,
# bench/log_lines.py) pushed through a 100 Mbit/s link to an OpenSSH sshd in a network namespace
# of its own, by scpsync without compression, with --compress and with --compression auto, scp -O
# with and without -C, and rsync -a with and without -z, each into an empty destination, best of
# --runs. Markdown on stdout.
#
# The link is a veth pair between this machine and the namespace (10.213.N.1/30 and .2/30, N
# unused here), shaped with tc tbf on both ends; nothing else is shaped, the machine's own
# interfaces (lo included) are left alone. Needs root. Everything it creates — namespace, veth,
# sshd and what runs under it, temp dir — is removed on exit.
#
# Columns besides the time: bytes that crossed the link (tx counter of the machine's veth end,
# IP/TCP headers included), CPU seconds of the client process tree (/usr/bin/time: user+sys), and
# CPU seconds of the server side (what the sshd's children used, from its cutime+cstime).
#
#   bench/compress.sh [--size-mib 500] [--runs 2] [--rate 100mbit] [--tools 'scp -O,scp -O -C']
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
SIZE_MIB=500; RUNS=2; RATE=100mbit
ALL_TOOLS=("scpsync push" "scpsync push --compress" "scpsync push --compression auto" "scp -O" "scp -O -C" "rsync -a" "rsync -a -z" "rsync -a -z --zc=zlib")
TOOLS=("${ALL_TOOLS[@]}")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size-mib) SIZE_MIB="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --tools) IFS=, read -r -a TOOLS <<< "$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in "${TOOLS[@]}"; do
  [[ " ${ALL_TOOLS[*]/%/,} " == *" $tool, "* ]] || { echo "unknown tool '$tool'; known: ${ALL_TOOLS[*]/%/,}" >&2; exit 2; }
done
[[ "$(id -u)" == 0 ]] || { echo "bench/compress.sh needs root (ip netns, tc)" >&2; exit 2; }

BENCH_DIR="$(mktemp -d /tmp/scpsync-bench-XXXXXX)"
source "$here/sshd-local.sh"
# Names of our own: the namespace, and the veth ends (at most 15 characters).
NS="scpsync-z-$$"; HOST_VETH="scpz$$h"; PEER_VETH="scpz$$p"

cleanup() {
  stop_sshd
  # Whatever still runs in the namespace was started by this script, through its sshd.
  local pid
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true   # takes the veth pair with it
  ip link del "$HOST_VETH" 2>/dev/null || true
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The first 10.213.N.0/30 that no interface or route here uses.
subnet=""
for n in $(seq 1 254); do
  if ! ip -4 -o addr show | grep -q " 10\.213\.$n\." && [[ -z "$(ip -4 route show to match "10.213.$n.1" | grep -v '^default')" ]]; then
    subnet=$n; break
  fi
done
[[ -n "$subnet" ]] || { echo "no free 10.213.N.0/30 subnet" >&2; exit 1; }
HOST_ADDR="10.213.$subnet.1"; NS_ADDR="10.213.$subnet.2"

ip netns add "$NS"
ip link add "$HOST_VETH" type veth peer name "$PEER_VETH"
ip link set "$PEER_VETH" netns "$NS"
ip addr add "$HOST_ADDR/30" dev "$HOST_VETH"
ip link set "$HOST_VETH" up
ip -n "$NS" addr add "$NS_ADDR/30" dev "$PEER_VETH"
ip -n "$NS" link set "$PEER_VETH" up
# Both directions: the data goes out of the machine's end, the ACKs out of the namespace's end.
tc qdisc add dev "$HOST_VETH" root tbf rate "$RATE" burst 256kb latency 50ms
tc -n "$NS" qdisc add dev "$PEER_VETH" root tbf rate "$RATE" burst 256kb latency 50ms

"$root/scpsync" --version >/dev/null   # builds the jar if needed
SSHD_ADDR="$NS_ADDR"; SSHD_PREFIX=(ip netns exec "$NS")
start_sshd
clk_tck=$(getconf CLK_TCK)

src="$BENCH_DIR/src"; dest="$BENCH_DIR/dest"
mkdir -p "$src"
python3 "$here/log_lines.py" "$src/app.log" "$SIZE_MIB"
size=$(stat -c %s "$src/app.log")
# What SSH's zlib can make of it: level 6, flushed every 32 KiB (one SSH packet) as SSH does.
zlib_ratio=$(python3 - "$src/app.log" <<'PY'
import sys, zlib
c = zlib.compressobj(6); n = out = 0
with open(sys.argv[1], "rb") as f:
    while block := f.read(32768):
        n += len(block); out += len(c.compress(block)) + len(c.flush(zlib.Z_SYNC_FLUSH))
print(f"{n / out:.2f}")
PY
)

PUSH=("$root/scpsync" push -q "$src" "$REMOTE_USER@$NS_ADDR:$SSHD_PORT:$dest" --known-hosts "$KNOWN_HOSTS"
  -i "$USER_KEY" --no-agent -F /dev/null --cipher "$CIPHER" --state-dir "$BENCH_DIR/state")
RSH="ssh ${SSH_OPTS[*]} -p $SSHD_PORT"
tool_cmd() {
  case "$1" in
    "scpsync push") CMD=("${PUSH[@]}") ;;
    "scpsync push --compress") CMD=("${PUSH[@]}" --compress) ;;
    "scpsync push --compression auto") CMD=("${PUSH[@]}" --compression auto) ;;
    "scp -O") CMD=(scp -O -q -p "${SSH_OPTS[@]}" -P "$SSHD_PORT" "$src/app.log" "$REMOTE_USER@$NS_ADDR:$dest/") ;;
    "scp -O -C") CMD=(scp -O -q -p -C "${SSH_OPTS[@]}" -P "$SSHD_PORT" "$src/app.log" "$REMOTE_USER@$NS_ADDR:$dest/") ;;
    "rsync -a") CMD=(rsync -a -e "$RSH" "$src/" "$REMOTE_USER@$NS_ADDR:$dest/") ;;
    "rsync -a -z") CMD=(rsync -a -z -e "$RSH" "$src/" "$REMOTE_USER@$NS_ADDR:$dest/") ;;
    "rsync -a -z --zc=zlib") CMD=(rsync -a -z --zc=zlib -e "$RSH" "$src/" "$REMOTE_USER@$NS_ADDR:$dest/") ;;
  esac
}
fresh() { rm -rf "$dest" "$BENCH_DIR/state"; mkdir -p "$dest"; sync; }
server_cpu_ticks() { awk '{print $16 + $17}' "/proc/$SSHD_PID/stat"; }
tx_bytes() { cat "/sys/class/net/$HOST_VETH/statistics/tx_bytes"; }

# measure NAME: runs the tool once into a fresh destination; sets WALL, CPU_CLIENT, CPU_SERVER,
# WIRE (bytes) and checks the copy.
measure() {
  tool_cmd "$1"; fresh
  local wire0 srv0 user sys
  wire0=$(tx_bytes); srv0=$(server_cpu_ticks)
  LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
  /usr/bin/time -f "%e %U %S" -o "$BENCH_DIR/time" "${CMD[@]}" >/dev/null 2>"$BENCH_DIR/err" \
    || { echo "$1 failed:" >&2; cat "$BENCH_DIR/err" >&2; exit 1; }
  # The server's per-connection processes end just after the client; wait until sshd reaped them.
  for _ in $(seq 200); do pgrep -P "$SSHD_PID" >/dev/null || break; sleep 0.05; done
  read -r WALL user sys < <(tail -n1 "$BENCH_DIR/time")
  CPU_CLIENT=$(python3 -c "print(f'{$user + $sys:.1f}')")
  CPU_SERVER=$(python3 -c "print(f'{($(server_cpu_ticks) - $srv0) / $clk_tck:.1f}')")
  WIRE=$(( $(tx_bytes) - wire0 ))
  cmp -s "$src/app.log" "$dest/app.log" || { echo "$1: the copy differs from the source" >&2; exit 1; }
}

LOADS=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A best=() row=()
for run in $(seq "$RUNS"); do
  for tool in "${TOOLS[@]}"; do
    measure "$tool"
    echo "run $run: $tool ${WALL}s, $((WIRE / 1048576)) MiB on the wire" >&2
    if [[ -z "${best[$tool]:-}" ]] || python3 -c "import sys; sys.exit(0 if $WALL < ${best[$tool]} else 1)"; then
      best[$tool]=$WALL
      row[$tool]="$(python3 -c "print(f'{$size / 1048576 / $WALL:.1f} | {$WIRE / 1048576:.0f} | {$size / $WIRE:.2f}x')") | $CPU_CLIENT | $CPU_SERVER"
    fi
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

base=${best["scpsync push"]:-}
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), link $RATE (tc tbf), file $((size / 1048576)) MiB of log lines"
echo "(zlib level 6 with a flush every 32 KiB: ${zlib_ratio}x), best of $RUNS."
echo "Load average before: $load_before; after: $load_after; 1-minute load at each start:" \
  "$(printf '%s\n' "${LOADS[@]}" | sort -n | head -n1)-$(printf '%s\n' "${LOADS[@]}" | sort -n | tail -n1)."
echo
echo "| tool | time (s) | MiB/s of the file | vs \`scpsync push\` | MiB on the wire | file / wire | client CPU (s) | server CPU (s) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for tool in "${TOOLS[@]}"; do
  t=${best[$tool]}
  IFS='|' read -r mibs wire ratio cc cs <<< "${row[$tool]}"
  echo "| $tool | $t | ${mibs// /} | $([[ -n "$base" ]] && python3 -c "print(f'{$base / $t:.2f}x')" || echo -) | ${wire// /} | ${ratio// /} | ${cc// /} | ${cs// /} |"
done
