#!/usr/bin/env bash
# Large-file benchmark (issue #5): one random file pushed to a local OpenSSH sshd by scp -O, by
# scpsync in chunks (resumable, SHA-256 verified on the remote) and by scpsync without chunks
# (--chunk-size above the file size: the pre-#5 stream); then a chunked push killed with SIGKILL
# once half the file is on the remote, and the time of the resuming push. Markdown on stdout.
#
#   bench/large.sh [--size-mib 1024] [--runs 2]
#
# Trees and sshd files live under $TMPDIR (default /tmp). TMPDIR=/dev/shm keeps the disk out of it
# (scpsync fsyncs a large file before its rename; scp -O does not).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
SIZE_MIB=1024; RUNS=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size-mib) SIZE_MIB="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BENCH_DIR="$(mktemp -d "${TMPDIR:-/tmp}/scpsync-bench-XXXXXX")"
source "$here/sshd-local.sh"
trap 'stop_sshd; rm -rf "$BENCH_DIR"' EXIT

"$root/scpsync" --version >/dev/null
start_sshd
src="$BENCH_DIR/src"; dest="$BENCH_DIR/dest"
mkdir -p "$src"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$src/big.bin"

PUSH=("$root/scpsync" push -q "$src" "$REMOTE_USER@127.0.0.1:$SSHD_PORT:$dest" --known-hosts "$KNOWN_HOSTS"
  -i "$USER_KEY" --no-agent -F /dev/null --cipher "$CIPHER" --state-dir "$BENCH_DIR/state")
fresh() { rm -rf "$dest" "$BENCH_DIR/state"; mkdir -p "$dest"; sync; }

echo "| ${SIZE_MIB} MiB, one file | time (s) |"
echo "|---|---:|"
declare -A best=()
for run in $(seq "$RUNS"); do
  for tool in "scp -O" "scpsync, 8M chunks, verified" "scpsync, unchunked"; do
    fresh
    case "$tool" in
      "scp -O") run_timed "$tool" scp -O -q -p "${SSH_OPTS[@]}" -P "$SSHD_PORT" "$src/big.bin" "$REMOTE_USER@127.0.0.1:$dest/" ;;
      "scpsync, 8M chunks, verified") run_timed "$tool" "${PUSH[@]}" ;;
      "scpsync, unchunked") run_timed "$tool" "${PUSH[@]}" --chunk-size $((SIZE_MIB * 2))M ;;
    esac
    if [[ -z "${best[$tool]:-}" ]] || python3 -c "import sys; sys.exit(0 if $ELAPSED < ${best[$tool]} else 1)"; then
      best[$tool]=$ELAPSED
    fi
  done
done
for tool in "scp -O" "scpsync, 8M chunks, verified" "scpsync, unchunked"; do
  echo "| $tool | ${best[$tool]} |"
done

# Kill at half way, then resume.
fresh
"${PUSH[@]}" & pid=$!
half=$((SIZE_MIB * 1024 * 1024 / 2))
while kill -0 "$pid" 2>/dev/null; do
  size=$(find "$dest" -name '.big.bin.scpsync-*.tmp' -printf '%s\n' 2>/dev/null | head -n1)
  [[ -n "$size" && "$size" -ge "$half" ]] && break
  sleep 0.02
done
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
there=$(find "$dest" -name '.big.bin.scpsync-*.tmp' -printf '%s\n' | head -n1)
run_timed "resume" "${PUSH[@]}"
cmp "$src/big.bin" "$dest/big.bin"
echo "| resume after SIGKILL with $((there / 1048576)) MiB on the remote | $ELAPSED |"
