#!/usr/bin/env bash
# Delta benchmark (issue #5): a large random file already on a local OpenSSH sshd, then changed
# by (a) 1 MiB appended, (b) 10 scattered 4 KiB edits in place. Each change is synced by scpsync
# (block delta against the state: copy-data on the server plus the changed blocks, SHA-256
# verified), by rsync -a (its rolling-checksum delta) and, for reference, by scp -O (the whole
# file). Bytes on the wire are counted by one TCP proxy in front of sshd (bench/byte_proxy.py:
# client-to-server bytes, SSH framing included), the same way for every tool. Markdown on stdout.
#
# With --runs N every change is made and synced N times (a new append, new edits each time) and
# the best time of each tool is shown; bytes are those of that run. Single runs here move by
# about 0.5 s.
#
#   bench/delta.sh [--size-mib 1024] [--runs 1]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
SIZE_MIB=1024
RUNS=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size-mib) SIZE_MIB="$2"; shift 2 ;;
    --runs) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "--runs needs a positive number" >&2; exit 2; }; RUNS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BENCH_DIR="$(mktemp -d /tmp/scpsync-bench-XXXXXX)"
source "$here/sshd-local.sh"
PROXY_PID=""
trap '[[ -n "$PROXY_PID" ]] && kill "$PROXY_PID" 2>/dev/null; stop_sshd; rm -rf "$BENCH_DIR"' EXIT

"$root/scpsync" --version >/dev/null
start_sshd
count="$BENCH_DIR/upstream-bytes"
exec 4< <(python3 "$here/byte_proxy.py" "$SSHD_PORT" "$count")
PROXY_PID=$!
read -r PROXY_PORT <&4
echo "[127.0.0.1]:$PROXY_PORT $(cut -d' ' -f1,2 "$BENCH_DIR/sshd/host_ed25519.pub")" >> "$KNOWN_HOSTS"

mkdir -p "$BENCH_DIR/src" "$BENCH_DIR/scpsync" "$BENCH_DIR/rsync" "$BENCH_DIR/scp"
file="$BENCH_DIR/src/big.bin"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$file"

ssh_cmd="ssh ${SSH_OPTS[*]} -p $PROXY_PORT"
target() { echo "$REMOTE_USER@127.0.0.1:$PROXY_PORT:$BENCH_DIR/$1"; }
# command_of TOOL: sets CMD to the tool's command line.
command_of() {
  case "$1" in
    scpsync) CMD=("$root/scpsync" push -q "$BENCH_DIR/src" "$(target scpsync)" --known-hosts "$KNOWN_HOSTS" -i "$USER_KEY"
      --no-agent -F /dev/null --cipher "$CIPHER" --state-dir "$BENCH_DIR/state") ;;
    rsync) CMD=(rsync -a -e "$ssh_cmd" "$BENCH_DIR/src/" "$REMOTE_USER@127.0.0.1:$BENCH_DIR/rsync/") ;;
    "scp -O") CMD=(scp -O -q -p "${SSH_OPTS[@]}" -P "$PROXY_PORT" "$file" "$REMOTE_USER@127.0.0.1:$BENCH_DIR/scp/") ;;
  esac
}
# measure TOOL: runs one sync through the proxy; sets ELAPSED and BYTES (upstream, this run).
measure() {
  local before after
  before=$(cat "$count")
  command_of "$1"
  run_timed "$1" "${CMD[@]}"
  sleep 0.3 # the proxy adds a connection's bytes when it closes
  after=$(cat "$count")
  BYTES=$((after - before))
}

TOOLS=("scpsync" "rsync" "scp -O")
for tool in "${TOOLS[@]}"; do command_of "$tool"; "${CMD[@]}"; done # everyone starts from the same file

mib() { python3 -c "print(f'{$1 / 1048576:.2f}')"; }
echo "| ${SIZE_MIB} MiB file | tool | time (s) | MiB on the wire | wire / change |"
echo "|---|---|---:|---:|---:|"
for change in "1 MiB appended" "10 × 4 KiB edits in place"; do
  declare -A best_time=() best_bytes=()
  for run in $(seq "$RUNS"); do
    case "$change" in
      "1 MiB appended") head -c $((1 << 20)) /dev/urandom >> "$file"; changed=$((1 << 20)) ;;
      *) for i in $(seq 10); do
           dd if=/dev/urandom of="$file" bs=4096 count=1 seek=$(( (i * 97 + 13 + run) * SIZE_MIB / 1000 * 256 )) \
             conv=notrunc status=none
         done
         changed=$((10 * 4096)) ;;
    esac
    sleep 1 # a new whole second for the new version, as a quick check needs
    touch "$file"
    for tool in "${TOOLS[@]}"; do
      measure "$tool"
      if [[ -z "${best_time[$tool]:-}" ]] || python3 -c "import sys; sys.exit(0 if $ELAPSED < ${best_time[$tool]} else 1)"; then
        best_time[$tool]=$ELAPSED
        best_bytes[$tool]=$BYTES
      fi
    done
    for d in scpsync rsync scp; do cmp "$file" "$BENCH_DIR/$d/big.bin"; done
  done
  for tool in "${TOOLS[@]}"; do
    echo "| $change | $tool | ${best_time[$tool]} | $(mib "${best_bytes[$tool]}") | $(python3 -c "print(f'{${best_bytes[$tool]} / $changed:.1f}x')") |"
  done
  unset best_time best_bytes
done
