#!/usr/bin/env bash
# Push benchmark: one 1 GiB random file, and 10,000 files of 4 KiB in 100 directories, to a
# local OpenSSH sshd, side by side in one run with scp -O, scp (SFTP) and rsync -e ssh, all with
# the same cipher. Prints a markdown table of times and ratios to scp -O (stdout).
#
#   bench/push.sh [--size-mib 1024] [--files 10000] [--runs 1]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
SIZE_MIB=1024; FILES=10000; RUNS=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size-mib) SIZE_MIB="$2"; shift 2 ;;
    --files) FILES="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BENCH_DIR="$(mktemp -d /tmp/scpsync-bench-XXXXXX)"
source "$here/sshd-local.sh"
trap 'stop_sshd; rm -rf "$BENCH_DIR"' EXIT

"$root/scpsync" --version >/dev/null   # builds the jar if needed; later runs only check it
start_sshd

big="$BENCH_DIR/big"; small="$BENCH_DIR/small"
mkdir -p "$big" "$small"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$big/random.bin"
python3 - "$small" "$FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"dir{i % 100:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:06d}.dat"), "wb") as f:
        f.write(os.urandom(4096))
PY

dest="$BENCH_DIR/dest"
tool_cmd() { # tool src -> command array in CMD
  local tool="$1" src="$2"
  case "$tool" in
    "scp -O") CMD=(scp -O -q -r -p "${SSH_OPTS[@]}" -P "$SSHD_PORT" "$src" "$REMOTE_USER@127.0.0.1:$dest/") ;;
    "scp (sftp)") CMD=(scp -q -r -p "${SSH_OPTS[@]}" -P "$SSHD_PORT" "$src" "$REMOTE_USER@127.0.0.1:$dest/") ;;
    "rsync -a") CMD=(rsync -a -e "ssh ${SSH_OPTS[*]} -p $SSHD_PORT" "$src/" "$REMOTE_USER@127.0.0.1:$dest/$(basename "$src")/") ;;
    "scpsync push") CMD=("$root/scpsync" push -q "$src" "$REMOTE_USER@127.0.0.1:$SSHD_PORT:$dest/$(basename "$src")" \
                      --known-hosts "$KNOWN_HOSTS" -i "$USER_KEY" --no-agent -F /dev/null --cipher "$CIPHER") ;;
  esac
}

TOOLS=("scp -O" "scp (sftp)" "rsync -a" "scpsync push")
echo "| workload | tool | time (s) | vs scp -O | peak RSS (MiB) |"
echo "|---|---|---:|---:|---:|"
for workload in big small; do
  src="$BENCH_DIR/$workload"
  label=$([[ $workload == big ]] && echo "1 file, ${SIZE_MIB} MiB" || echo "${FILES} files x 4 KiB")
  declare -A best=()
  declare -A rss=()
  for run in $(seq "$RUNS"); do
    for tool in "${TOOLS[@]}"; do
      rm -rf "$dest"; mkdir -p "$dest"; sync
      tool_cmd "$tool" "$src"
      run_timed "$tool" "${CMD[@]}"
      if [[ -z "${best[$tool]:-}" ]] || python3 -c "import sys; sys.exit(0 if $ELAPSED < ${best[$tool]} else 1)"; then
        best[$tool]=$ELAPSED; rss[$tool]=$RSS_KIB
      fi
    done
  done
  base=${best["scp -O"]}
  for tool in "${TOOLS[@]}"; do
    t=${best[$tool]}
    ratio=$(python3 -c "print(f'{$t/$base:.2f}x')")
    mib=$([[ -n "${rss[$tool]}" ]] && python3 -c "print(f'{${rss[$tool]}/1024:.0f}')" || echo "-")
    echo "| $label | $tool | $t | $ratio | $mib |"
  done
  unset best rss
done
