#!/usr/bin/env bash
# Fan-out benchmark (issue #6, "Many targets"): one source mirrored to N throwaway OpenSSH sshd
# instances on loopback (one sshd per target, each on its own port, each target its own remote
# directory), for (a) FILES small files of 4 KiB (100 per directory) and (b) one SIZE_MIB MiB
# random file, N in TARGETS. Side by side in the same run, each into an empty destination:
#
#   scpsync   one `scpsync run -c CFG --exit-after 0` with N targets (mirror placement,
#             delete: true, monitor.http off, a fresh state-dir per measurement). --exit-after 0
#             asks the watch to stop at once; every target's initial reconcile still runs to the
#             end (TargetPipeline.run reconciles before it looks at the stop flag), then the JVM
#             exits. The script checks that every target printed "in sync".
#   rsync -a  N parallel `rsync -a -e ssh` processes (background jobs + wait)
#   scp -O    N parallel `scp -O -r -p` processes (background jobs + wait)
#
# All with the cipher aes128-gcm@openssh.com (scpsync's default on a CPU with AES instructions).
# Time is the wall clock of the whole fan-out (for scpsync: launcher, JVM start, config, watcher,
# N key exchanges, N scans + listings + transfers, state commit, exit). "reconcile" is scpsync's
# own figure: the slowest target's "in N s" from its reconcile line (scan, listing, transfer and
# state; not the JVM start or the key exchange); "outside reconcile" is the total less that (JVM
# start, config, watcher, the N key exchanges in parallel, shutdown). "vs 1" is a tool's time at N targets divided by
# its own time at 1 target; the issue's goal is scpsync at 8 targets <= 3x its 1-target time for
# the small files. After every measurement each target directory is compared with the source
# (paths, types, sizes and contents; nothing extra). Best of --runs.
#
#   bench/fanout.sh [--files 1000] [--size-mib 256] [--targets "1 4 8"] [--runs 1]
#                   [--only small|big]
#
# Prints a markdown table on stdout, then the JVM start time and the load average during the run;
# progress on stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

FILES=1000; SIZE_MIB=256; TARGETS="1 4 8"; RUNS=1; ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -ge 1 ]] || { echo "--files needs a number >= 1" >&2; exit 2; }
             FILES="$2"; shift 2 ;;
    --size-mib) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -ge 1 ]] || { echo "--size-mib needs a number >= 1" >&2; exit 2; }
                SIZE_MIB="$2"; shift 2 ;;
    --targets) [[ "${2:-}" =~ ^[0-9\ ]+$ && -n "${2// /}" ]] || { echo "--targets needs numbers, e.g. \"1 4 8\"" >&2; exit 2; }
               TARGETS="$2"; shift 2 ;;
    --runs) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -ge 1 ]] || { echo "--runs needs a number >= 1" >&2; exit 2; }
            RUNS="$2"; shift 2 ;;
    --only) [[ "${2:-}" == small || "${2:-}" == big ]] || { echo "--only needs small or big" >&2; exit 2; }
            ONLY="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
read -r -a COUNTS <<< "$TARGETS"
for n in "${COUNTS[@]}"; do
  [[ "$n" -ge 1 ]] || { echo "--targets: each count must be >= 1" >&2; exit 2; }
done
MAX_N=$(printf '%s\n' "${COUNTS[@]}" | sort -n | tail -n1)
# The ratios are to one target: measure it even when not asked for.
[[ " ${COUNTS[*]} " == *" 1 "* ]] || COUNTS=(1 "${COUNTS[@]}")

BENCH_DIR="$(mktemp -d /tmp/scpsync-fanout-XXXXXX)"
source "$here/sshd-local.sh"
JOBS=()          # PIDs of the tool processes in flight, ended on exit
kill_jobs() {
  local pid
  for pid in "${JOBS[@]:-}"; do
    [[ -n "$pid" ]] || continue
    pkill -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  JOBS=()
}
SAMPLER_PID=""   # samples the 1-minute load average every 5 s while measuring
stop_sampler() {
  if [[ -n "$SAMPLER_PID" ]]; then
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
  fi
}
cleanup() { stop_sampler; kill_jobs; stop_sshd; rm -rf "$BENCH_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[fanout.sh $(date -u +%T)] $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
elapsed_since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$EPOCHREALTIME"; }

SCPSYNC="$root/scpsync"
"$SCPSYNC" --version >/dev/null   # builds the jar if needed; later runs only check it

# JVM start (and the launcher's checks), for reading scpsync's totals: best of 3 `--version`.
JVM_START=""
for _ in 1 2 3; do
  t0=$EPOCHREALTIME
  "$SCPSYNC" --version >/dev/null
  t=$(elapsed_since "$t0")
  if [[ -z "$JVM_START" ]] || python3 -c "import sys; sys.exit(0 if $t < $JVM_START else 1)"; then JVM_START=$t; fi
done

start_sshds "$MAX_N"
log "$MAX_N sshd instances on ports ${SSHD_PORTS[*]}; load average $(loadavg)"

# ---------------------------------------------------------------------------------------------
# Sources
SMALL="$BENCH_DIR/src-small"; BIG="$BENCH_DIR/src-big"
mkdir -p "$SMALL" "$BIG"
python3 - "$SMALL" "$FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"dir{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:06d}.dat"), "wb") as f:
        f.write(os.urandom(4096))
PY
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$BIG/random.bin"

# verify SRC DEST N: each of DEST/t1..tN is a copy of SRC (paths, types, sizes, contents, nothing more).
verify() {
  python3 - "$1" "$2" "$3" <<'PY'
import filecmp, os, stat, sys
src, dest, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def tree(root):
    out = {}
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            p = os.path.join(d, name)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = ("d" if stat.S_ISDIR(st.st_mode) else "f", st.st_size if stat.S_ISREG(st.st_mode) else 0)
    return out
want = tree(src)
bad = []
for i in range(1, n + 1):
    t = os.path.join(dest, f"t{i}")
    if not os.path.isdir(t):
        bad.append(f"t{i}: missing"); continue
    got = tree(t)
    missing = sorted(set(want) - set(got)); extra = sorted(set(got) - set(want))
    differ = [p for p in want if p in got and got[p] != want[p]]
    if not missing and not extra and not differ:
        differ = [p for p, (k, _) in want.items() if k == "f" and not filecmp.cmp(os.path.join(src, p), os.path.join(t, p), shallow=False)]
    if missing or extra or differ:
        bad.append(f"t{i}: {len(missing)} missing (e.g. {missing[:2]}), {len(extra)} extra (e.g. {extra[:2]}), {len(differ)} differ (e.g. {differ[:2]})")
if bad:
    print("; ".join(bad), file=sys.stderr); sys.exit(1)
PY
}

# fresh_dest: an empty destination parent for one measurement, in DEST.
MEASURE=0
fresh_dest() {
  MEASURE=$((MEASURE + 1))
  rm -rf "$BENCH_DIR/dest"
  DEST="$BENCH_DIR/dest"
  mkdir -p "$DEST"
  sync
}

# run_scpsync SRC N: one scpsync run with N targets; sets ELAPSED and RECONCILE (slowest target).
run_scpsync() {
  local src="$1" n="$2" i cfg="$BENCH_DIR/fanout.$MEASURE.yaml" out="$BENCH_DIR/scpsync.$MEASURE.out" pid rc t0
  {
    echo "source: $src"
    echo "state-dir: $BENCH_DIR/state.$MEASURE"
    echo "delete: true"
    echo "transfer:"
    echo "  verify-every: 0"
    echo "monitor:"
    echo "  http: off"
    echo "ssh:"
    echo "  known-hosts: [$KNOWN_HOSTS]"
    echo "  identities: [$USER_KEY]"
    echo "  accept-new: false"
    echo "  config: /dev/null"
    echo "  agent: false"
    echo "targets:"
    for i in $(seq 1 "$n"); do
      echo "  - name: t$i"
      echo "    target: $REMOTE_USER@127.0.0.1:${SSHD_PORTS[$((i - 1))]}:$DEST/t$i"
    done
  } > "$cfg"
  t0=$EPOCHREALTIME
  timeout --kill-after=10 900 "$SCPSYNC" run -c "$cfg" --exit-after 0 --status never >"$out" 2>"$out.err" &
  pid=$!; JOBS=("$pid")
  rc=0; wait "$pid" || rc=$?
  JOBS=()
  ELAPSED=$(elapsed_since "$t0")
  if [[ $rc -ne 0 ]]; then
    log "scpsync, $n target(s): exit $rc"; sed 's/^/  /' "$out" "$out.err" | tail -n 20 >&2; return 1
  fi
  local synced
  synced=$(grep -c '^watch t[0-9]* .*: in sync$' "$out" || true)
  if [[ "$synced" -ne "$n" ]]; then
    log "scpsync, $n target(s): $synced of $n targets reported in sync"; sed 's/^/  /' "$out" "$out.err" | tail -n 20 >&2; return 1
  fi
  RECONCILE=$(python3 - "$out" <<'PY2'
import re, sys
print("%.2f" % max(float(m) for m in re.findall(r" in ([0-9.]+) s \(", open(sys.argv[1]).read())))
PY2
)
}

# run_parallel TOOL SRC N: N processes of TOOL at once, one per target; sets ELAPSED.
run_parallel() {
  local tool="$1" src="$2" n="$3" i port t0 rc=0 pid
  local -a pids=()
  t0=$EPOCHREALTIME
  for i in $(seq 1 "$n"); do
    port=${SSHD_PORTS[$((i - 1))]}
    case "$tool" in
      rsync) rsync -a -e "ssh ${SSH_OPTS[*]} -p $port" "$src/" "$REMOTE_USER@127.0.0.1:$DEST/t$i/" \
               >"$BENCH_DIR/$tool.$i.out" 2>&1 & ;;
      scp)   scp -O -q -r -p "${SSH_OPTS[@]}" -P "$port" "$src" "$REMOTE_USER@127.0.0.1:$DEST/t$i" \
               >"$BENCH_DIR/$tool.$i.out" 2>&1 & ;;
    esac
    pids+=($!)
  done
  JOBS=("${pids[@]}")
  for i in "${!pids[@]}"; do
    pid=${pids[$i]}
    if ! wait "$pid"; then
      rc=1; log "$tool to t$((i + 1)) failed:"; sed 's/^/  /' "$BENCH_DIR/$tool.$((i + 1)).out" | tail -n 5 >&2
    fi
  done
  JOBS=()
  ELAPSED=$(elapsed_since "$t0")
  return $rc
}

# ---------------------------------------------------------------------------------------------
TOOLS=(scpsync rsync scp)
declare -A BEST=() RECON=()
keep_best() { # key value
  if [[ -z "${BEST[$1]:-}" ]] || python3 -c "import sys; sys.exit(0 if $2 < ${BEST[$1]} else 1)"; then
    BEST[$1]=$2; return 0
  fi
  return 1
}

WORKLOADS=(small big)
[[ -z "$ONLY" ]] || WORKLOADS=("$ONLY")
LOAD_START=$(loadavg)
(while :; do cut -d' ' -f1 /proc/loadavg; sleep 5; done) > "$BENCH_DIR/load.samples" &
SAMPLER_PID=$!
for wl in "${WORKLOADS[@]}"; do
  src=$([[ $wl == small ]] && echo "$SMALL" || echo "$BIG")
  for run in $(seq "$RUNS"); do
    for n in "${COUNTS[@]}"; do
      for tool in "${TOOLS[@]}"; do
        fresh_dest
        ok=1
        if [[ $tool == scpsync ]]; then
          run_scpsync "$src" "$n" || ok=0
        else
          run_parallel "$tool" "$src" "$n" || ok=0
        fi
        if [[ $ok == 1 ]] && ! verify "$src" "$DEST" "$n"; then
          log "$tool, $wl, $n target(s): the copies differ from the source"; ok=0
        fi
        if [[ $ok == 1 ]]; then
          log "$wl run $run: $tool to $n target(s): ${ELAPSED} s$([[ $tool == scpsync ]] && echo " (slowest reconcile ${RECONCILE} s)") load $(loadavg)"
          if keep_best "$wl|$n|$tool" "$ELAPSED" && [[ $tool == scpsync ]]; then
            RECON["$wl|$n"]=$RECONCILE
          fi
        else
          BEST["$wl|$n|$tool"]=${BEST["$wl|$n|$tool"]:-FAIL}
        fi
        rm -rf "$DEST"
      done
    done
  done
done
LOAD_END=$(loadavg)
stop_sampler
LOAD_RANGE=$(sort -n "$BENCH_DIR/load.samples" | sed -n '1p;$p' | paste -sd- -)

ratio() { # value base
  if [[ "$1" == FAIL || "$2" == FAIL || -z "$1" || -z "$2" ]]; then echo "-"; else
    python3 -c "print(f'{$1/$2:.2f}x')"; fi
}
outside() { # total reconcile
  if [[ "$1" == FAIL || "$2" == FAIL ]]; then echo "-"; else python3 -c "print(f'{$1-$2:.2f}')"; fi
}
echo "| workload | targets | scpsync (s) | vs 1 | scpsync reconcile (s) | vs 1 | scpsync outside reconcile (s) | rsync -a (s) | vs 1 | scp -O (s) | vs 1 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for wl in "${WORKLOADS[@]}"; do
  label=$([[ $wl == small ]] && echo "${FILES} files x 4 KiB" || echo "1 file, ${SIZE_MIB} MiB")
  for n in "${COUNTS[@]}"; do
    row="| $label | $n"
    for tool in "${TOOLS[@]}"; do
      t=${BEST["$wl|$n|$tool"]:-FAIL}
      row+=" | $t | $(ratio "$t" "${BEST["$wl|1|$tool"]:-FAIL}")"
      if [[ $tool == scpsync ]]; then
        r=${RECON["$wl|$n"]:-FAIL}
        row+=" | $r | $(ratio "$r" "${RECON["$wl|1"]:-FAIL}") | $(outside "$t" "$r")"
      fi
    done
    echo "$row |"
  done
done
echo
echo "JVM start (\`scpsync --version\`, launcher included, best of 3): ${JVM_START} s." \
  "Load average (1/5/15 min) at start: ${LOAD_START}; at end: ${LOAD_END};" \
  "1-minute load sampled every 5 s while measuring: ${LOAD_RANGE}; $(nproc) CPUs."
