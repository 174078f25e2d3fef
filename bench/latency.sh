#!/usr/bin/env bash
# Watch-latency benchmark (issue #4): `scpsync watch` side by side with lsyncd
# (default.rsyncssh, delay = 0), in the same run, against the same throwaway OpenSSH sshd on
# loopback, both with the cipher aes128-gcm@openssh.com. Each tool mirrors its own source tree to
# its own destination directory; the tools run one after the other, never at the same time.
#
#   (a) single writes: WRITES new small files (SIZE bytes), one at a time; each is timed from the
#       return of close() to the moment the complete file is readable at the destination path
#       (inotify on the destination directory plus a 1 ms re-check: resolution <= ~1 ms), then a
#       random gap of 10-100 ms before the next. WARMUP writes before them are not counted.
#   (b) burst: BURST new files of SIZE bytes written back to back into a new directory; time from
#       the mkdir to all of them complete at the destination (polled every 2 ms).
#   (c) idle cost while watching FILES files (1 KiB each, 100 per directory): after the initial
#       sync, VmRSS of the watching process (the java process for scpsync, lsyncd itself) and its
#       CPU (utime+stime from /proc/PID/stat) over IDLE seconds, as % of one core. scpsync is
#       measured twice: right after its initial push into an empty destination, and after a
#       restart on the synced tree (no-op reconcile).
#
# scpsync runs once per --debounce value (default "20ms 5ms"); (c) uses the first one. Every
# scpsync watch is stopped with SIGTERM and must exit 0.
#
#   bench/latency.sh                                  # full run: 200 writes, 1000-file burst, 100k files
#   bench/latency.sh --writes 30 --burst 200 --files 2000 --idle 5   # quick run
#   options: --writes N  --warmup N  --burst N  --files N (0 = skip (c))  --idle SECONDS
#            --size BYTES  --debounce "20ms 5ms"  --no-lsyncd
#            --java-opts "-Xmx256m"   (JAVA_TOOL_OPTIONS for every scpsync run; default none;
#                                      with -XX:NativeMemoryTracking=summary the log shows NMT)
#            --keep-logs DIR          (copy every tool's output and the raw results there)
#            --scpsync-args "..."     (extra options for every scpsync watch, word-split)
#   --writes 0 --burst 0 skips (a) and (b).
# Trees, sshd files and logs live under $TMPDIR (default /tmp). TMPDIR=/dev/shm puts the source and
# destination trees on tmpfs: on a virtual disk with journal stalls, writing 1,000 small files
# alone takes 30-700 ms run to run, which then dominates the burst's "from mkdir" time.
# When scpsync has an HTTP status server (--http), it is kept on, on a free port (--http
# 127.0.0.1:0), so parallel runs and other instances do not collide on the default port.
#
# Prints a markdown table on stdout; progress, per-run details and the load average on stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

WRITES=200; WARMUP=10; BURST=1000; FILES=100000; IDLE=30; SIZE=1024; DEBOUNCES="20ms 5ms"; LSYNCD=1
JAVA_OPTS_BENCH=""; KEEP_LOGS=""; EXTRA_ARGS=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --writes) WRITES="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --burst) BURST="$2"; shift 2 ;;
    --files) FILES="$2"; shift 2 ;;
    --idle) IDLE="$2"; shift 2 ;;
    --size) SIZE="$2"; shift 2 ;;
    --debounce) DEBOUNCES="$2"; shift 2 ;;
    --no-lsyncd) LSYNCD=0; shift ;;
    --java-opts) JAVA_OPTS_BENCH="$2"; shift 2 ;;
    --keep-logs) KEEP_LOGS="$2"; shift 2 ;;
    --scpsync-args) EXTRA_ARGS="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for v in "$WRITES" "$WARMUP" "$BURST" "$FILES" "$IDLE" "$SIZE"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "numeric options need a whole number, got '$v'" >&2; exit 2; }
done
read -r -a DEBOUNCE_LIST <<<"$DEBOUNCES"
[[ ${#DEBOUNCE_LIST[@]} -gt 0 ]] || { echo "--debounce needs at least one value" >&2; exit 2; }
if [[ $LSYNCD == 1 && ! -x /usr/bin/lsyncd ]]; then
  echo "lsyncd not found at /usr/bin/lsyncd; use --no-lsyncd" >&2; exit 2
fi

BENCH_DIR="$(mktemp -d "${TMPDIR:-/tmp}/scpsync-latency-bench-XXXXXX")"
source "$here/sshd-local.sh"
PIDS=()   # watchers started by this script that may still run
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  stop_sshd
  if [[ -n "$KEEP_LOGS" ]]; then
    mkdir -p "$KEEP_LOGS" && cp -r "$BENCH_DIR/logs" "$BENCH_DIR/results.tsv" "$KEEP_LOGS/" 2>/dev/null || true
  fi
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[latency.sh $(date +%T)] $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
RESULTS="$BENCH_DIR/results.tsv"; : > "$RESULTS"
result() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$RESULTS"; }   # LABEL KEY VALUE
NOTES=()
since() { python3 -c "print(f'{$(now) - $1:.1f}')"; }

# ---------------------------------------------------------------------------------------------
# Watchers. start_* set W_PID and wait until the initial sync is done; stop_watcher stops W_PID.

# start_scpsync LABEL SRC DEST STATE_DIR DEBOUNCE
start_scpsync() {
  local label="$1" src="$2" dest="$3" state="$4" debounce="$5"
  local out="$BENCH_DIR/logs/$label.out" err="$BENCH_DIR/logs/$label.err"
  mkdir -p "$BENCH_DIR/logs" "$state"
  # The launcher execs java, so $! is the JVM itself.
  local envs=(); [[ -z "$JAVA_OPTS_BENCH" ]] || envs=(JAVA_TOOL_OPTIONS="$JAVA_OPTS_BENCH")
  env "${envs[@]}" "$root/scpsync" watch "$src" "$REMOTE_USER@127.0.0.1:$SSHD_PORT:$dest" --delete \
    --known-hosts "$KNOWN_HOSTS" -i "$USER_KEY" --no-agent -F /dev/null --cipher "$CIPHER" \
    --state-dir "$state" --debounce "$debounce" "${SCPSYNC_EXTRA[@]}" >"$out" 2>"$err" &
  W_PID=$!; PIDS+=("$W_PID")
  wait_for "$label" "$out" 'watching for changes'
  [[ "$(cat /proc/$W_PID/comm)" == java ]] || log "warning: $label: PID $W_PID is $(cat /proc/$W_PID/comm), not java"
}

# start_lsyncd LABEL SRC DEST
start_lsyncd() {
  local label="$1" src="$2" dest="$3"
  local cfg="$BENCH_DIR/$label.lua" out="$BENCH_DIR/logs/$label.out" lg="$BENCH_DIR/logs/$label.log"
  mkdir -p "$BENCH_DIR/logs"
  # Host key checked against the bench's known_hosts (the same trust scpsync gets), same cipher.
  cat > "$cfg" <<LUA
settings {
  logfile = "$lg",
  statusFile = "$BENCH_DIR/$label.status",
  nodaemon = true,
}
sync {
  default.rsyncssh,
  source = "$src",
  host = "$REMOTE_USER@127.0.0.1",
  targetdir = "$dest",
  delay = 0,
  rsync = { archive = true },
  ssh = {
    port = $SSHD_PORT,
    identityFile = "$USER_KEY",
    options = {
      BatchMode = "yes",
      StrictHostKeyChecking = "yes",
      UserKnownHostsFile = "$KNOWN_HOSTS",
      Ciphers = "$CIPHER",
    },
  },
}
LUA
  /usr/bin/lsyncd "$cfg" >"$out" 2>&1 &
  W_PID=$!; PIDS+=("$W_PID")
  wait_for "$label" "$lg" 'Startup of .* finished'
}

# wait_for LABEL FILE REGEX: until REGEX appears in FILE; fails if W_PID dies first.
wait_for() {
  local label="$1" file="$2" re="$3" start=$SECONDS
  until grep -qE "$re" "$file" 2>/dev/null; do
    if ! kill -0 "$W_PID" 2>/dev/null; then
      log "$label exited before its initial sync finished; its output:"
      tail -n 20 "$BENCH_DIR/logs/$label".* >&2 || true
      exit 1
    fi
    if (( SECONDS - start > 1800 )); then log "$label: no '$re' after 30 min"; exit 1; fi
    sleep 0.05
  done
  log "$label ready after $((SECONDS - start)) s (PID $W_PID, load $(loadavg))"
}

# stop_watcher LABEL: SIGTERM, up to 30 s, then SIGKILL; records the exit code.
stop_watcher() {
  local label="$1" rc=0
  kill -TERM "$W_PID" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$W_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$W_PID" 2>/dev/null; then
    log "$label did not exit within 30 s of SIGTERM; killing it"
    NOTES+=("$label did not exit within 30 s of SIGTERM (killed)")
    kill -KILL "$W_PID" 2>/dev/null || true
  fi
  wait "$W_PID" || rc=$?
  log "$label exited with $rc after SIGTERM"
  result "$label" exit "$rc"
  if [[ $label == scpsync* && $rc != 0 ]]; then
    NOTES+=("$label exited $rc after SIGTERM (expected 0): $(tail -n1 "$BENCH_DIR/logs/$label.err")")
  fi
}

# ---------------------------------------------------------------------------------------------
# /proc readings of W_PID

rss_mib() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$W_PID/status"; }
hwm_mib() { awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$W_PID/status"; }
cpu_ticks() { # utime + stime (fields 14, 15; the comm field may hold spaces)
  python3 -c "import sys; f=open('/proc/$W_PID/stat').read().rsplit(')',1)[1].split(); print(int(f[11])+int(f[12]))"
}
thread_ticks() { # one line per thread: "TID TICKS NAME"
  python3 - "$W_PID" <<'PY'
import os, sys
base = f"/proc/{sys.argv[1]}/task"
for tid in os.listdir(base):
    try:
        raw = open(f"{base}/{tid}/stat").read()
    except OSError:
        continue
    name = raw[raw.index("(") + 1:raw.rindex(")")]
    f = raw.rsplit(")", 1)[1].split()
    print(tid, int(f[11]) + int(f[12]), name.replace(" ", "_"))
PY
}
# busiest_threads BEFORE AFTER: the threads that used CPU between two thread_ticks readings
busiest_threads() {
  python3 - "$1" "$2" <<'PY'
import sys
def read(p):
    return {l.split()[0]: (int(l.split()[1]), l.split()[2]) for l in open(p) if l.strip()}
a, b = read(sys.argv[1]), read(sys.argv[2])
d = sorted(((t - a.get(tid, (0,))[0], n) for tid, (t, n) in b.items()), reverse=True)
print(", ".join(f"{n} {t}" for t, n in d if t > 0)[:400] or "none")
PY
}

# idle_cost LABEL: VmRSS now, then CPU over IDLE seconds with nothing changing.
idle_cost() {
  local label="$1" t0 t1 c0 c1 hz
  hz=$(getconf CLK_TCK)
  sleep 3   # let the last batch line and any post-sync work finish
  result "$label" rss "$(rss_mib)"
  result "$label" hwm "$(hwm_mib)"
  thread_ticks > "$BENCH_DIR/threads.0"
  c0=$(cpu_ticks); t0=$(now)
  sleep "$IDLE"
  c1=$(cpu_ticks); t1=$(now)
  thread_ticks > "$BENCH_DIR/threads.1"
  result "$label" rss_after_idle "$(rss_mib)"
  result "$label" idle_cpu "$(python3 -c "print(f'{($c1-$c0)/$hz/($t1-$t0)*100:.2f}')")"
  log "$label: VmRSS $(rss_mib) MiB (peak $(hwm_mib) MiB), $((c1 - c0)) ticks of CPU in ${IDLE} s idle"
  log "$label: idle CPU ticks by thread: $(busiest_threads "$BENCH_DIR/threads.0" "$BENCH_DIR/threads.1")"
  local jcmd; jcmd="$(dirname "$(readlink "/proc/$W_PID/exe")")/jcmd"
  if [[ $label == scpsync* && -x "$jcmd" ]]; then   # after the CPU reading: attaching costs CPU
    log "$label: heap: $("$jcmd" "$W_PID" GC.heap_info 2>&1 | grep -E 'total|region size|Metaspace' | tr -s ' ' | paste -sd';')"
    if [[ $JAVA_OPTS_BENCH == *NativeMemoryTracking* ]]; then
      log "$label: native memory (committed): $("$jcmd" "$W_PID" VM.native_memory summary scale=MB 2>&1 \
        | sed -nE 's/^-? *([A-Z][A-Za-z ]+):? *\(?reserved=[0-9]+MB, committed=([0-9]+)MB.*/\1 \2/p' | tr -s ' ' | paste -sd',')"
    fi
  fi
}

# ---------------------------------------------------------------------------------------------
# Workloads

# latency_run LABEL START_FN ARGS...: one tool through (a) and (b) on a fresh small tree.
latency_run() {
  local label="$1"; shift
  local starter="$1"; shift
  local work="$BENCH_DIR/$label" out
  mkdir -p "$work/src/single" "$work/dest"
  echo "seed" > "$work/src/seed.txt"
  "$starter" "$label" "$work/src" "$work/dest" "$@"
  [[ -d "$work/dest/single" ]] || { log "$label: initial sync did not create single/"; exit 1; }

  log "$label: (a) $WARMUP + $WRITES single writes of $SIZE bytes, load $(loadavg)"
  result "$label" load_single "$(cut -d' ' -f1 /proc/loadavg)"
  out=$(python3 "$here/latency_probe.py" single "$work/src/single" "$work/dest/single" \
          "$WRITES" "$WARMUP" "$SIZE" 10 100 10)
  echo "$out" > "$BENCH_DIR/logs/$label.single.json"
  result "$label" single "$BENCH_DIR/logs/$label.single.json"

  log "$label: (b) burst of $BURST files, load $(loadavg)"
  result "$label" load_burst "$(cut -d' ' -f1 /proc/loadavg)"
  out=$(python3 "$here/latency_probe.py" burst "$work/src" "$work/dest" burst "$BURST" "$SIZE" 120)
  echo "$out" > "$BENCH_DIR/logs/$label.burst.json"
  result "$label" burst "$BENCH_DIR/logs/$label.burst.json"
  log "$label: burst $out"
  result "$label" rss_small "$(rss_mib)"
  sleep 1   # anything still in flight (a tool's temp files) settles
  local check; check=$(same_tree "$work/src" "$work/dest")
  log "$label: destination vs source: $check"
  [[ $check == ok ]] || NOTES+=("$label: destination differs from the source after (a) and (b): $check")

  stop_watcher "$label"
  rm -rf "$work"
}

# same_tree SRC DEST: "ok" when DEST holds exactly SRC's files and directories, same content.
same_tree() {
  python3 - "$1" "$2" <<'PY'
import filecmp, os, sys
def walk(root):
    out = set()
    for dp, dns, fns in os.walk(root):
        out.update(os.path.relpath(os.path.join(dp, n), root) + "/" for n in dns)
        out.update(os.path.relpath(os.path.join(dp, n), root) for n in fns)
    return out
a, b = walk(sys.argv[1]), walk(sys.argv[2])
problems = []
if a - b: problems.append(f"{len(a - b)} missing (e.g. {sorted(a - b)[0]})")
if b - a: problems.append(f"{len(b - a)} extra (e.g. {sorted(b - a)[0]})")
bad = [p for p in a & b if not p.endswith("/")
       and not filecmp.cmp(os.path.join(sys.argv[1], p), os.path.join(sys.argv[2], p), shallow=False)]
if bad: problems.append(f"{len(bad)} differ in content (e.g. {sorted(bad)[0]})")
print("; ".join(problems) or "ok")
PY
}

gen_tree() { # DIR N: N files of 1 KiB, 100 per directory
  python3 - "$1" "$2" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
dirs = max(1, n // 100)
for d in range(dirs):
    os.makedirs(os.path.join(root, f"dir{d:04d}"), exist_ok=True)
for i in range(n):
    with open(os.path.join(root, f"dir{i % dirs:04d}", f"f{i:06d}.dat"), "wb") as f:
        f.write(os.urandom(1024))
PY
}

# ---------------------------------------------------------------------------------------------
log "load average at start: $(uptime)"
"$root/scpsync" --version >/dev/null   # builds the jar (and AOT cache) if needed, untimed
read -r -a SCPSYNC_EXTRA <<<"$EXTRA_ARGS"
if "$root/scpsync" watch --help 2>/dev/null | grep -q -- '--http='; then
  SCPSYNC_EXTRA=(--http 127.0.0.1:0 "${SCPSYNC_EXTRA[@]}")
fi
start_sshd
log "sshd on 127.0.0.1:$SSHD_PORT, work dir $BENCH_DIR"

LABELS=()
for d in "${DEBOUNCE_LIST[@]}"; do
  [[ $WRITES == 0 && $BURST == 0 ]] || latency_run "scpsync-$d" start_scpsync "$BENCH_DIR/state-$d" "$d"
  LABELS+=("scpsync-$d")
done
if [[ $LSYNCD == 1 ]]; then
  [[ $WRITES == 0 && $BURST == 0 ]] || latency_run lsyncd start_lsyncd
  LABELS+=(lsyncd)
fi

if [[ $FILES -gt 0 ]]; then
  big="$BENCH_DIR/big"
  log "(c) generating $FILES files of 1 KiB in $((FILES / 100)) directories"
  gen_tree "$big/src" "$FILES"
  sync
  first="scpsync-${DEBOUNCE_LIST[0]}"
  state="$BENCH_DIR/big/state"
  t0=$(now)
  start_scpsync "$first.big" "$big/src" "$big/dest-scpsync" "$state" "${DEBOUNCE_LIST[0]}"
  result "$first" initial_s "$(since "$t0")"
  idle_cost "$first"
  check=$(same_tree "$big/src" "$big/dest-scpsync"); log "$first.big: destination vs source: $check"
  [[ $check == ok ]] || NOTES+=("$first.big: destination differs from the source: $check")
  stop_watcher "$first.big"
  t0=$(now)
  start_scpsync "$first.big-restart" "$big/src" "$big/dest-scpsync" "$state" "${DEBOUNCE_LIST[0]}"
  result "$first" restart_s "$(since "$t0")"
  idle_cost "$first.restart"
  stop_watcher "$first.big-restart"
  if [[ $LSYNCD == 1 ]]; then
    t0=$(now)
    start_lsyncd lsyncd.big "$big/src" "$big/dest-lsyncd"
    result lsyncd initial_s "$(since "$t0")"
    idle_cost lsyncd
    check=$(same_tree "$big/src" "$big/dest-lsyncd"); log "lsyncd.big: destination vs source: $check"
    [[ $check == ok ]] || NOTES+=("lsyncd.big: destination differs from the source: $check")
    stop_watcher lsyncd.big
  fi
  rm -rf "$big"
fi

# ---------------------------------------------------------------------------------------------
echo "scpsync $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?')${JAVA_OPTS_BENCH:+ (JAVA_TOOL_OPTIONS=$JAVA_OPTS_BENCH)}${SCPSYNC_EXTRA[*]:+ (watch ${SCPSYNC_EXTRA[*]})}, lsyncd $(/usr/bin/lsyncd --version 2>/dev/null | awk '{print $2}'), $(rsync --version | head -n1 | awk '{print $1, $3}'), $(ssh -V 2>&1 | cut -d, -f1), $(nproc) CPUs, load average at the end: $(loadavg)"
echo
python3 - "$RESULTS" "$WRITES" "$WARMUP" "$BURST" "$FILES" "$IDLE" "$SIZE" "${LABELS[@]}" <<'PY'
import json, math, sys
path, writes, warmup, burst, files, idle, size = sys.argv[1:8]
labels = sys.argv[8:]
res = {}
for line in open(path):
    label, key, value = line.rstrip("\n").split("\t")
    res.setdefault(label, {})[key] = value

def pct(xs, p):  # nearest rank
    if not xs:
        return None
    xs = sorted(xs)
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]

rows = []  # (metric, goal, {label: value}, fmt)
single = {l: json.load(open(res[l]["single"])) for l in labels if "single" in res.get(l, {})}
burst_r = {l: json.load(open(res[l]["burst"])) for l in labels if "burst" in res.get(l, {})}
for name, p, goal in (("p50", 50, "<= 30"), ("p90", 90, ""), ("p99", 99, "<= 150"), ("max", 100, "")):
    rows.append((f"single write {name} (ms)", goal, {l: pct(s["latencies_ms"], p) for l, s in single.items()}, "{:.1f}"))
rows.append(("single writes not arrived within 10 s", "0", {l: len(s["missed"]) for l, s in single.items()}, "{}"))
rows.append((f"burst of {burst} files, from mkdir (s)", "<= 0.5", {l: b.get("total_s") for l, b in burst_r.items()}, "{:.3f}"))
rows.append(("burst, from last close() (s)", "", {l: b.get("after_last_write_s") for l, b in burst_r.items()}, "{:.3f}"))
rows.append(("burst files missing after 120 s", "0", {l: b["missing"] for l, b in burst_r.items()}, "{}"))
def num(label, key, conv=float):
    v = res.get(label, {}).get(key)
    return conv(v) if v is not None else None
rows.append(("RSS after (a)+(b), small tree (MiB)", "", {l: num(l, "rss_small") for l in labels}, "{:.0f}"))
if int(files) > 0:
    first = labels[0]
    f = f"{int(files):,}"
    rows.append((f"initial sync of {f} files into an empty destination (s)", "", {first: num(first, "initial_s"), "lsyncd": num("lsyncd", "initial_s")}, "{:.1f}"))
    rows.append((f"restart on the synced {f} files, until watching (s)", "", {first: num(first, "restart_s")}, "{:.1f}"))
    rows.append((f"RSS watching {f} files, after initial push (MiB)", "<= 300", {first: num(first, "rss"), "lsyncd": num("lsyncd", "rss")}, "{:.0f}"))
    rows.append((f"  same after {idle} s idle (MiB)", "<= 300", {first: num(first, "rss_after_idle"), "lsyncd": num("lsyncd", "rss_after_idle")}, "{:.0f}"))
    rows.append((f"  peak RSS (VmHWM) (MiB)", "", {first: num(first, "hwm"), "lsyncd": num("lsyncd", "hwm")}, "{:.0f}"))
    rows.append((f"RSS watching {f} files, after restart (no-op reconcile) (MiB)", "<= 300", {first: num(first + ".restart", "rss")}, "{:.0f}"))
    rows.append((f"idle CPU over {idle} s, after initial push (% of a core)", "~ 0", {first: num(first, "idle_cpu"), "lsyncd": num("lsyncd", "idle_cpu")}, "{:.2f}"))
    rows.append((f"idle CPU over {idle} s, after restart (% of a core)", "~ 0", {first: num(first + ".restart", "idle_cpu")}, "{:.2f}"))

scp = [l for l in labels if l.startswith("scpsync")]
has_lsyncd = "lsyncd" in labels
head = ["metric", "goal"] + [l.replace("scpsync-", "scpsync --debounce ") for l in labels]
if has_lsyncd:
    head += [f"{l.replace('scpsync-', '')} / lsyncd" for l in scp]
print("| " + " | ".join(head) + " |")
print("|---|---|" + "---:|" * (len(head) - 2))
for metric, goal, vals, fmt in rows:
    if all(vals.get(l) is None for l in labels):
        continue  # a part that was skipped
    cells = [metric, goal]
    for l in labels:
        v = vals.get(l)
        cells.append(fmt.format(v) if v is not None else "-")
    if has_lsyncd:
        for l in scp:
            a, b = vals.get(l), vals.get("lsyncd")
            ok = a is not None and b not in (None, 0) and fmt != "{}"
            cells.append(f"{a / b:.2f}x" if ok else "")
    print("| " + " | ".join(cells) + " |")
print()
if int(writes) > 0:
  print(f"(a) {writes} writes of {size} bytes after {warmup} uncounted warm-up writes; "
      f"load average (1 min) at the start of (a): "
      + ", ".join(f"{l} {res[l].get('load_single', '?')}" for l in labels))
for l in labels:
    w = single.get(l, {}).get("warmup_ms") or []
    if w:
        print(f"  {l}: warm-up writes took {min(w):.1f}-{max(w):.1f} ms")
PY
if [[ ${#NOTES[@]} -gt 0 ]]; then
  echo
  printf -- '- %s\n' "${NOTES[@]}"
fi
