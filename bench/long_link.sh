#!/usr/bin/env bash
# Long-link benchmark (issue #5, "several channels in parallel (ranges)"): one random file pushed
# through bench/delay_proxy.py, which holds every byte for DELAY ms in each direction (a round
# trip of 2 x DELAY), to a throwaway OpenSSH sshd on loopback. The kernel here has no netem, so the
# delay is a user-space proxy; it limits nothing else (about 130 MiB/s through it with no delay).
# Side by side in the same run: scp -O, sftp put (OpenSSH's own, one channel each) and scpsync
# push --parallel 1, 2, 4, 8 (a large file goes over up to N channels when the round trip is
# 20 ms or more); then the other way, scp -O from the server and scpsync pull (one channel; what
# counts there is the receive window scpsync grants). Each copy is compared with the source.
#
#   bench/long_link.sh [--size-mib 256] [--delay-ms 50]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
MIB=256
DELAY=50
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size-mib) MIB="$2"; shift 2 ;;
    --delay-ms) DELAY="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

BENCH_DIR="$(mktemp -d /tmp/scpsync-long-link-XXXXXX)"
source "$here/sshd-local.sh"
PROXY_PID=""
cleanup() {
  [[ -n "$PROXY_PID" ]] && { kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; }
  stop_sshd
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_sshd
python3 -u "$here/delay_proxy.py" "$SSHD_PORT" "$DELAY" > "$BENCH_DIR/proxy.port" &
PROXY_PID=$!
for _ in $(seq 100); do [[ -s "$BENCH_DIR/proxy.port" ]] && break; sleep 0.05; done
PORT=$(cat "$BENCH_DIR/proxy.port")
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$BENCH_DIR/sshd/host_ed25519.pub")" >> "$KNOWN_HOSTS"
mkdir -p "$BENCH_DIR/src"
head -c $((MIB << 20)) /dev/urandom > "$BENCH_DIR/src/big.bin"
"$root/scpsync" --version >/dev/null  # build first, outside the timings

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $MIB MiB random file, round trip $((2 * DELAY)) ms (delay proxy), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| tool | time (s) | MiB/s |"
echo "|---|---:|---:|"
run() {
  local name="$1" dest="$2"; shift 2
  mkdir -p "$dest"
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>"$BENCH_DIR/err" || { cat "$BENCH_DIR/err" >&2; return 1; }
  end=$(date +%s.%N)
  cmp -s "$BENCH_DIR/src/big.bin" "$dest/big.bin" || { echo "$name: copy differs" >&2; return 1; }
  python3 -c "e=$end-$start; print(f'| $name | {e:.2f} | {$MIB/e:.1f} |')"
  rm -rf "$dest"
}
run "scp -O" "$BENCH_DIR/scp" scp -O "${SSH_OPTS[@]}" -P "$PORT" "$BENCH_DIR/src/big.bin" "$REMOTE_USER@127.0.0.1:$BENCH_DIR/scp/"
run "sftp put" "$BENCH_DIR/sftp" sftp "${SSH_OPTS[@]}" -P "$PORT" -b <(echo "put $BENCH_DIR/src/big.bin $BENCH_DIR/sftp/") "$REMOTE_USER@127.0.0.1"
for p in 1 2 4 8; do
  run "scpsync push --parallel $p" "$BENCH_DIR/s$p" "$root/scpsync" push -q -F /dev/null --known-hosts "$KNOWN_HOSTS" \
    -i "$USER_KEY" --no-agent --cipher "$CIPHER" --no-state --parallel "$p" "$BENCH_DIR/src/" \
    "$REMOTE_USER@127.0.0.1:$PORT:$BENCH_DIR/s$p"
done
# The other way: the source file is already on the "server" (same machine), pulled from there.
run "scp -O (pull)" "$BENCH_DIR/pull-scp" scp -O "${SSH_OPTS[@]}" -P "$PORT" "$REMOTE_USER@127.0.0.1:$BENCH_DIR/src/big.bin" "$BENCH_DIR/pull-scp/"
run "scpsync pull" "$BENCH_DIR/pull-s" "$root/scpsync" pull -q -F /dev/null --known-hosts "$KNOWN_HOSTS" \
  -i "$USER_KEY" --no-agent --cipher "$CIPHER" "$REMOTE_USER@127.0.0.1:$PORT:$BENCH_DIR/src" "$BENCH_DIR/pull-s"
