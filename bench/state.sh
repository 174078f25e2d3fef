#!/usr/bin/env bash
# Incremental-sync benchmark (issue #3, "Sync state and incremental engine"): scpsync push side by
# side with `rsync -a --delete -e ssh`, in the same run, to a throwaway OpenSSH sshd on loopback,
# both with the cipher aes128-gcm@openssh.com. For N small files (4 KiB of random content, 100
# per directory, so N/100 directories), one source tree and one destination per tool:
#
#   1. initial push into an empty destination
#   2. no-op re-push
#   3. no-op re-push with --trust-state (scpsync only; its ratio is to rsync's step 2)
#   4. 1% of the files modified (new random content, same size, new mtime), then push
#   5. 10 directories renamed locally (mv dirA dirA-renamed), then push (both always use --delete)
#
# Bytes on the wire are counted the same way for both tools: both connect through a small
# counting TCP proxy on 127.0.0.1 (Python, splice(2), TCP_NODELAY) in front of the sshd port.
# "sent" is the SSH stream client->server (TCP payload, so encrypted SSH packets including
# protocol overhead), "recv" is server->client. Time is wall clock of the whole command (for
# scpsync: JVM start, key exchange, scan, listing, transfer, state commit). Peak RSS is
# /usr/bin/time's %M of the client side (the JVM for scpsync; the largest of rsync and its ssh
# for rsync; the remote rsync/sftp-server are not counted). After every step both destinations
# are checked against the source (paths, types, sizes, file mtimes in whole seconds, modes, and
# the content of the files that step changed).
#
#   bench/state.sh                 # N = 10000, then N = 100000
#   bench/state.sh --quick         # N = 10000 only
#   bench/state.sh --files 50000   # one N (repeatable)
#
# Prints markdown tables on stdout; progress and the load average on stderr. scpsync runs with
# SCPSYNC_LOG=debug so its phase timings (PushJob) are shown under each table.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

SIZES=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) [[ "${2:-}" =~ ^[0-9]+$ && "$2" -ge 100 ]] || { echo "--files needs a number >= 100" >&2; exit 2; }
             SIZES+=("$2"); shift 2 ;;
    --quick) SIZES=(10000); shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(10000 100000)

BENCH_DIR="$(mktemp -d /tmp/scpsync-state-bench-XXXXXX)"
source "$here/sshd-local.sh"
PROXY_PID=""
stop_proxy() {
  if [[ -n "$PROXY_PID" ]]; then
    kill "$PROXY_PID" 2>/dev/null || true
    wait "$PROXY_PID" 2>/dev/null || true
    PROXY_PID=""
  fi
}
cleanup() { stop_proxy; stop_sshd; rm -rf "$BENCH_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[state.sh $(date +%T)] $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# ---------------------------------------------------------------------------------------------
# Counting TCP proxy: 127.0.0.1:PROXY_PORT -> 127.0.0.1:SSHD_PORT. A control port answers one
# line "open connections up_bytes down_bytes" per connection.
cat > "$BENCH_DIR/proxy.py" <<'PY'
import fcntl, os, socket, sys, threading
target = int(sys.argv[1])
lock = threading.Lock()
stats = {"open": 0, "conns": 0, "up": 0, "down": 0}
F_SETPIPE_SZ = 1031
CHUNK = 1 << 20

def pump(src, dst, key, done):
    r, w = os.pipe()
    try:
        try:
            fcntl.fcntl(w, F_SETPIPE_SZ, CHUNK)
        except OSError:
            pass
        while True:
            n = os.splice(src.fileno(), w, CHUNK)
            if n == 0:
                break
            left = n
            while left:
                left -= os.splice(r, dst.fileno(), left)
            with lock:
                stats[key] += n
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    except OSError:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
    finally:
        os.close(r); os.close(w)
        done()

def handle(client):
    try:
        server = socket.create_connection(("127.0.0.1", target))
    except OSError:
        client.close()
        return
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    remaining = [2]
    def done():
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
            if last:
                stats["open"] -= 1
        if last:
            client.close(); server.close()
    with lock:
        stats["open"] += 1
        stats["conns"] += 1
    threading.Thread(target=pump, args=(client, server, "up", done), daemon=True).start()
    threading.Thread(target=pump, args=(server, client, "down", done), daemon=True).start()

def control(ctl):
    while True:
        c, _ = ctl.accept()
        with lock:
            line = f'{stats["open"]} {stats["conns"]} {stats["up"]} {stats["down"]}\n'
        c.sendall(line.encode()); c.close()

lst = socket.socket(); lst.bind(("127.0.0.1", 0)); lst.listen(64)
ctl = socket.socket(); ctl.bind(("127.0.0.1", 0)); ctl.listen(8)
print(lst.getsockname()[1], ctl.getsockname()[1], flush=True)
threading.Thread(target=control, args=(ctl,), daemon=True).start()
while True:
    c, _ = lst.accept()
    handle(c)
PY

start_proxy() {
  python3 -u "$BENCH_DIR/proxy.py" "$SSHD_PORT" > "$BENCH_DIR/proxy.ports" 2>"$BENCH_DIR/proxy.log" &
  PROXY_PID=$!
  for _ in $(seq 100); do [[ -s "$BENCH_DIR/proxy.ports" ]] && break; sleep 0.05; done
  read -r PROXY_PORT CTL_PORT < "$BENCH_DIR/proxy.ports"
  # Same host key, reached through the proxy's port.
  echo "[127.0.0.1]:$PROXY_PORT $(cut -d' ' -f1,2 "$BENCH_DIR/sshd/host_ed25519.pub")" >> "$KNOWN_HOSTS"
}

proxy_stats() { # -> PX_OPEN PX_CONNS PX_UP PX_DOWN
  local line
  exec 7<>"/dev/tcp/127.0.0.1/$CTL_PORT"
  read -r line <&7
  exec 7<&-
  read -r PX_OPEN PX_CONNS PX_UP PX_DOWN <<<"$line"
}

# Waits until the proxy has seen every connection close (the tool's last bytes are counted).
proxy_idle() {
  for _ in $(seq 200); do
    proxy_stats
    [[ "$PX_OPEN" == 0 ]] && return 0
    sleep 0.025
  done
  log "warning: a connection through the proxy is still open; byte counts may be short"
}

# ---------------------------------------------------------------------------------------------
# measure LABEL CMD...: runs CMD with stdout/stderr to $BENCH_DIR/logs/LABEL.{out,err}; sets
# M_TIME (s), M_UP / M_DOWN (bytes through the proxy), M_RSS (KiB), M_EXIT, M_LOAD.
measure() {
  local label="$1"; shift
  local start end up0 down0
  mkdir -p "$BENCH_DIR/logs"
  proxy_idle; up0=$PX_UP; down0=$PX_DOWN
  M_LOAD=$(cut -d' ' -f1 /proc/loadavg)
  start=$(now)
  set +e
  /usr/bin/time -f "%M" -o "$BENCH_DIR/logs/$label.rss" "$@" >"$BENCH_DIR/logs/$label.out" 2>"$BENCH_DIR/logs/$label.err"
  M_EXIT=$?
  set -e
  end=$(now)
  proxy_idle
  M_UP=$((PX_UP - up0)); M_DOWN=$((PX_DOWN - down0))
  M_TIME=$(python3 -c "print(f'{$end-$start:.2f}')")
  M_RSS=$(grep -E '^[0-9]+$' "$BENCH_DIR/logs/$label.rss" | tail -n1 || true)
  if [[ $M_EXIT != 0 ]]; then
    log "$label exited $M_EXIT; last lines of its stderr:"
    grep -v ' DEBUG ' "$BENCH_DIR/logs/$label.err" | tail -n 5 >&2 || true
  fi
}

# ---------------------------------------------------------------------------------------------
gen_tree() { # DIR N
  python3 - "$1" "$2" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
dirs = n // 100
for d in range(dirs):
    os.makedirs(os.path.join(root, f"dir{d:04d}"), exist_ok=True)
for i in range(n):
    with open(os.path.join(root, f"dir{i % dirs:04d}", f"f{i:06d}.dat"), "wb") as f:
        f.write(os.urandom(4096))
PY
}

# Rewrites 1% of the files (every 100th) with new random content of the same size and an mtime
# at least 2 s later (whole seconds differ). Prints the changed paths.
modify_one_percent() { # DIR
  python3 - "$1" <<'PY'
import os, sys, time
root = sys.argv[1]
files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(root) for f in fs)
now = time.time()
for p in files[::100]:
    old = os.stat(p).st_mtime
    with open(p, "r+b") as f:
        f.write(os.urandom(4096))
    t = max(now, old + 2)
    os.utime(p, (t, t))
    print(os.path.relpath(p, root))
PY
}

# Renames 10 directories spread over the tree: dirNNNN -> dirNNNN-renamed. Prints the new files.
rename_ten_dirs() { # DIR N
  local dir="$1" dirs=$(($2 / 100)) i d
  for i in $(seq 0 9); do
    d=$(printf 'dir%04d' $((i * dirs / 10)))
    mv "$dir/$d" "$dir/$d-renamed"
    (cd "$dir" && find "$d-renamed" -type f)
  done
}

# verify SRC DEST CHANGED_LIST: metadata of the whole tree, content of the listed files.
# Prints "ok" or a short description of the first differences.
verify() {
  python3 - "$@" <<'PY'
import filecmp, os, stat, sys
src, dst, changed = sys.argv[1], sys.argv[2], sys.argv[3]
def meta(root):
    out = {}
    for dp, dns, fns in os.walk(root):
        for name in dns + fns:
            p = os.path.join(dp, name)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", stat.S_IMODE(st.st_mode))
            else:
                out[rel] = ("f", st.st_size, int(st.st_mtime), stat.S_IMODE(st.st_mode))
    return out
a, b = meta(src), meta(dst)
problems = []
missing = sorted(set(a) - set(b)); extra = sorted(set(b) - set(a))
if missing: problems.append(f"{len(missing)} missing (e.g. {missing[0]})")
if extra: problems.append(f"{len(extra)} extra (e.g. {extra[0]})")
diff = sorted(k for k in set(a) & set(b) if a[k] != b[k])
if diff: problems.append(f"{len(diff)} differ in metadata (e.g. {diff[0]}: {a[diff[0]]} vs {b[diff[0]]})")
bad = 0
if os.path.exists(changed):
    for rel in open(changed).read().split("\n"):
        if rel and rel in b and not filecmp.cmp(os.path.join(src, rel), os.path.join(dst, rel), shallow=False):
            bad += 1
if bad: problems.append(f"{bad} changed files differ in content")
print("ok" if not problems else "; ".join(problems))
PY
}

fmt_bytes() { python3 -c "
n=$1
for u in ('B','KiB','MiB','GiB'):
    if n < 1024 or u == 'GiB':
        print(f'{n:.0f} {u}' if u == 'B' else f'{n:.1f} {u}'); break
    n /= 1024"; }
ratio() { python3 -c "a,b=$1,$2; print(f'{a/b:.2f}x' if b else ('0x' if a == 0 else 'inf'))"; }
mib() { [[ -n "$1" ]] && python3 -c "print(f'{$1/1024:.0f}')" || echo "-"; }

# ---------------------------------------------------------------------------------------------
log "load average at start: $(uptime)"
"$root/scpsync" --version >/dev/null   # builds the jar (and AOT cache) if needed, untimed
start_sshd
start_proxy
log "sshd on 127.0.0.1:$SSHD_PORT, counting proxy on 127.0.0.1:$PROXY_PORT, work dir $BENCH_DIR"

echo "scpsync $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n "$(cd "$root" && git status --porcelain --untracked-files=no 2>/dev/null)" ]] && echo ' (+ uncommitted changes)'), $(rsync --version | head -n1 | awk '{print $1, $3}'), $(ssh -V 2>&1 | cut -d, -f1), $(nproc) CPUs"
echo "load average at start: $(loadavg)"
echo

declare -a STEP_NAMES=(
  ""
  "1 initial push"
  "2 no-op"
  "3 no-op --trust-state"
  "4 1% modified"
  "5 10 dirs renamed"
)

for N in "${SIZES[@]}"; do
  work="$BENCH_DIR/n$N"
  src="$work/src"; dest_r="$work/dest-rsync"; dest_s="$work/dest-scpsync"; state="$work/state"
  mkdir -p "$src" "$dest_r" "$dest_s" "$state"
  log "N=$N: generating $N files of 4 KiB in $((N / 100)) directories"
  gen_tree "$src" "$N"
  sync
  rsync_cmd=(rsync -a --delete -e "ssh ${SSH_OPTS[*]} -F /dev/null -p $PROXY_PORT" "$src/" "$REMOTE_USER@127.0.0.1:$dest_r/")
  scpsync_cmd=("$root/scpsync" push -q --delete "$src" "$REMOTE_USER@127.0.0.1:$PROXY_PORT:$dest_s"
    --known-hosts "$KNOWN_HOSTS" -i "$USER_KEY" --no-agent -F /dev/null --state-dir "$state" --cipher "$CIPHER")

  rows=(); phases=(); notes=()
  rsync_noop_time=""; rsync_noop_up=""
  for step in 1 2 3 4 5; do
    changed="$work/changed.$step"; : > "$changed"
    case $step in
      4) modify_one_percent "$src" > "$changed" ;;
      5) rename_ten_dirs "$src" "$N" > "$changed" ;;
    esac
    "$root/scpsync" --version >/dev/null   # a source change by someone else rebuilds here, untimed
    log "N=$N step ${STEP_NAMES[$step]}: load $(loadavg)"

    # rsync (not in step 3: it has no --trust-state; step 3 is compared with rsync's step 2)
    if [[ $step != 3 ]]; then
      measure "n$N-s$step-rsync" "${rsync_cmd[@]}"
      r_time=$M_TIME; r_up=$M_UP; r_down=$M_DOWN; r_rss=$M_RSS; r_exit=$M_EXIT; r_load=$M_LOAD
      r_ok=$(verify "$src" "$dest_r" "$changed")
      [[ $step == 2 ]] && { rsync_noop_time=$r_time; rsync_noop_up=$r_up; }
      log "  rsync   ${r_time}s sent $(fmt_bytes "$r_up") recv $(fmt_bytes "$r_down") rss $(mib "$r_rss") MiB exit $r_exit check: $r_ok"
      [[ $r_exit == 0 ]] || notes+=("N=$N step $step: rsync exited $r_exit")
      [[ $r_ok == ok ]] || notes+=("N=$N step $step: rsync destination differs from the source: $r_ok")
    else
      r_time=$rsync_noop_time; r_up=$rsync_noop_up
    fi

    extra=(); [[ $step == 3 ]] && extra=(--trust-state)
    measure "n$N-s$step-scpsync" env SCPSYNC_LOG=debug "${scpsync_cmd[@]}" "${extra[@]}"
    s_time=$M_TIME; s_up=$M_UP; s_down=$M_DOWN; s_rss=$M_RSS; s_exit=$M_EXIT; s_load=$M_LOAD
    s_ok=$(verify "$src" "$dest_s" "$changed")
    log "  scpsync ${s_time}s sent $(fmt_bytes "$s_up") recv $(fmt_bytes "$s_down") rss $(mib "$s_rss") MiB exit $s_exit check: $s_ok"
    [[ $s_exit == 0 ]] || notes+=("N=$N step $step: scpsync exited $s_exit: $(grep -v ' DEBUG ' "$BENCH_DIR/logs/n$N-s$step-scpsync.err" | tail -n1)")
    [[ $s_ok == ok ]] || notes+=("N=$N step $step: scpsync destination differs from the source: $s_ok")
    grep -q 'scpsync: building' "$BENCH_DIR/logs/n$N-s$step-scpsync.err" \
      && notes+=("N=$N step $step: the launcher rebuilt the jar inside the timed run; that time is not comparable")

    # PushJob phase timings (ms since start of the push, JVM start excluded)
    ph=$(python3 - "$BENCH_DIR/logs/n$N-s$step-scpsync.err" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def grab(pat):
    m = re.search(pat, text)
    return m.group(1) if m else "-"
print(" | ".join([grab(r"scanned \d+ entries in (\d+) ms"), grab(r"connected after (\d+) ms"),
                  grab(r"listed \d+ remote entries after (\d+) ms"), grab(r"plan carried out after (\d+) ms")]))
PY
)
    phases+=("| ${STEP_NAMES[$step]} | $ph | $s_time |")

    if [[ $step != 3 ]]; then
      rows+=("| ${STEP_NAMES[$step]} | rsync | $r_time | | $(fmt_bytes "$r_up") | | $(fmt_bytes "$r_down") | $(mib "$r_rss") | $r_load |")
    fi
    rows+=("| ${STEP_NAMES[$step]} | scpsync | $s_time | $(ratio "$s_time" "$r_time") | $(fmt_bytes "$s_up") | $(ratio "$s_up" "$r_up") | $(fmt_bytes "$s_down") | $(mib "$s_rss") | $s_load |")
  done

  echo "### N = $N files of 4 KiB in $((N / 100)) directories"
  echo
  echo "| step | tool | time (s) | time vs rsync | sent | sent vs rsync | received | peak RSS (MiB) | load avg |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Step 3 is compared with rsync's step 2 (rsync has no --trust-state)."
  echo
  echo "scpsync phases (PushJob debug log, ms after the push started inside the JVM; '-' = phase skipped):"
  echo
  echo "| step | scanned | connected | listed remote | plan carried out | wall (s) |"
  echo "|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${phases[@]}"
  echo
  if [[ ${#notes[@]} -gt 0 ]]; then
    printf -- '- %s\n' "${notes[@]}"
    echo
  fi
  echo "load average after N = $N: $(loadavg)"
  echo
  rm -rf "$work"
done
