#!/usr/bin/env bash
# Channels per target (--parallel, issue #6): a push of FILES small files of 4 KiB (100 per
# directory) to one local OpenSSH sshd, with --parallel 1, 2, 4 ..., over SFTP and over SCP
# (--protocol scp against the same sshd), each into an empty destination and without the sync state
# (--no-state), so every run sends everything. "time" is the wall clock of the whole command (JVM
# start included); "push" is scpsync's own figure from its summary line (connect, scan, listing,
# transfer); "vs 1" is the push figure over the one at --parallel 1. After every run the
# destination is compared with the source. Best of --runs.
#
#   bench/parallel.sh [--files 1000] [--parallel "1 2 4"] [--runs 3] [--protocols "sftp scp"]
#
# Prints a markdown table on stdout, then the load average; progress on stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

FILES=1000; PARALLEL="1 2 4"; RUNS=3; PROTOCOLS="sftp scp"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -ge 1 ]] || { echo "--files needs a number >= 1" >&2; exit 2; }
             FILES="$2"; shift 2 ;;
    --parallel) [[ "${2:-}" =~ ^[0-9\ ]+$ && -n "${2// /}" ]] || { echo "--parallel needs numbers, e.g. \"1 2 4\"" >&2; exit 2; }
                PARALLEL="$2"; shift 2 ;;
    --runs) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -ge 1 ]] || { echo "--runs needs a number >= 1" >&2; exit 2; }
            RUNS="$2"; shift 2 ;;
    --protocols) PROTOCOLS="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
read -r -a COUNTS <<< "$PARALLEL"
[[ " ${COUNTS[*]} " == *" 1 "* ]] || COUNTS=(1 "${COUNTS[@]}")

BENCH_DIR="$(mktemp -d /tmp/scpsync-parallel-XXXXXX)"
source "$here/sshd-local.sh"
trap 'stop_sshd; rm -rf "$BENCH_DIR"' EXIT

"$root/scpsync" --version >/dev/null   # builds the jar (and its AOT cache) if needed
start_sshd

src="$BENCH_DIR/src"
python3 - "$src" "$FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"dir{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:06d}.dat"), "wb") as f:
        f.write(os.urandom(4096))
PY

echo "| protocol | --parallel | time (s) | push (s) | vs 1 |"
echo "|---|---:|---:|---:|---:|"
for protocol in $PROTOCOLS; do
  declare -A wall=() push=()
  for run in $(seq "$RUNS"); do
    for p in "${COUNTS[@]}"; do
      dest="$BENCH_DIR/dest-$protocol-$p-$run"
      echo "$protocol --parallel $p, run $run" >&2
      start=$(now)
      out=$("$root/scpsync" push --no-state --protocol "$protocol" --parallel "$p" "$src" \
        "$REMOTE_USER@127.0.0.1:$SSHD_PORT:$dest" --known-hosts "$KNOWN_HOSTS" -i "$USER_KEY" --no-agent \
        -F /dev/null --cipher "$CIPHER" 2>&1)
      end=$(now)
      diff -r "$src" "$dest" >/dev/null || { echo "destination differs from the source: $dest" >&2; exit 1; }
      rm -rf "$dest"
      t=$(python3 -c "print(f'{$end-$start:.3f}')")
      s=$(sed -n 's/.* in \([0-9.]*\) s (.*/\1/p' <<< "$out" | tail -n1)
      [[ -n "$s" ]] || { echo "no summary line: $out" >&2; exit 1; }
      [[ -z "${wall[$p]:-}" ]] || (( $(python3 -c "print(int($t < ${wall[$p]}))") )) && wall[$p]=$t
      [[ -z "${push[$p]:-}" ]] || (( $(python3 -c "print(int($s < ${push[$p]}))") )) && push[$p]=$s
    done
  done
  for p in "${COUNTS[@]}"; do
    ratio=$(python3 -c "print(f'{${push[$p]}/${push[1]}:.2f}')")
    echo "| $protocol | $p | ${wall[$p]} | ${push[$p]} | $ratio |"
  done
  unset wall push
done
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
