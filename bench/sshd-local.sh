# Sourced by the benchmarks: starts a throwaway OpenSSH sshd on a loopback port with generated
# keys in $BENCH_DIR, and defines SSH_OPTS / helper functions. Stopped by stop_sshd (trap).
# SSHD_ADDR (default 127.0.0.1) and SSHD_PREFIX (a command array, default none; e.g.
# (ip netns exec NS)) let a benchmark run the server elsewhere, such as in its own namespace.
set -euo pipefail
SSHD_ADDR="${SSHD_ADDR:-127.0.0.1}"
[[ -v SSHD_PREFIX ]] || SSHD_PREFIX=()

# start_sshd: one sshd (SSHD_PORT, SSHD_PID). start_sshds N: N sshd instances on N loopback
# ports (SSHD_PORTS, SSHD_PIDS; SSHD_PORT/SSHD_PID are the first), sharing one host key, one user
# key and one known_hosts file that lists every port. Both define SSH_OPTS, USER_KEY, KNOWN_HOSTS,
# CIPHER and REMOTE_USER. stop_sshd stops every instance started.
start_sshd() { start_sshds 1; }

start_sshds() {
  local n="$1" dir="$BENCH_DIR/sshd" i port
  mkdir -p "$dir" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/user_ed25519"
  cp "$dir/user_ed25519.pub" "$dir/authorized_keys"
  # N distinct free ports: all bound at once, then released.
  read -r -a SSHD_PORTS <<< "$("${SSHD_PREFIX[@]}" python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind((sys.argv[2], 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$n" "$SSHD_ADDR")"
  SSHD_PIDS=()
  : > "$dir/known_hosts"
  for i in $(seq 0 $((n - 1))); do
    port=${SSHD_PORTS[$i]}
    cat > "$dir/sshd_config.$i" <<CFG
Port $port
ListenAddress $SSHD_ADDR
HostKey $dir/host_ed25519
PidFile $dir/sshd.$i.pid
AuthorizedKeysFile $dir/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin yes
MaxSessions 64
MaxStartups 64
LogLevel ERROR
Subsystem sftp /usr/lib/openssh/sftp-server
CFG
    # ip netns exec execs the command, so $! is sshd itself either way.
    "${SSHD_PREFIX[@]}" /usr/sbin/sshd -D -e -f "$dir/sshd_config.$i" 2>"$dir/sshd.$i.log" &
    SSHD_PIDS+=($!)
    echo "[$SSHD_ADDR]:$port $(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" >> "$dir/known_hosts"
  done
  for port in "${SSHD_PORTS[@]}"; do
    for _ in $(seq 100); do
      (exec 3<>/dev/tcp/"$SSHD_ADDR"/"$port") 2>/dev/null && break
      sleep 0.05
    done
  done
  SSHD_PORT=${SSHD_PORTS[0]}
  SSHD_PID=${SSHD_PIDS[0]}
  USER_KEY="$dir/user_ed25519"
  KNOWN_HOSTS="$dir/known_hosts"
  CIPHER=aes128-gcm@openssh.com
  SSH_OPTS=(-o BatchMode=yes -o UserKnownHostsFile="$KNOWN_HOSTS" -o StrictHostKeyChecking=yes -i "$USER_KEY" -c "$CIPHER")
  REMOTE_USER=$(id -un)
}

stop_sshd() {
  local pid
  for pid in "${SSHD_PIDS[@]:-${SSHD_PID:-}}"; do
    [[ -n "$pid" ]] || continue
    pkill -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SSHD_PIDS=(); SSHD_PID=""
}

# seconds since epoch with ns, for timing
now() { date +%s.%N; }

# run_timed NAME CMD...: runs CMD, records wall time and peak RSS (KiB) of the process tree's
# largest process via /usr/bin/time when present.
run_timed() {
  local name="$1"; shift
  local start end
  start=$(now)
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f "%M" -o "$BENCH_DIR/rss.$$" "$@" >/dev/null 2>"$BENCH_DIR/err.$$" || { cat "$BENCH_DIR/err.$$" >&2; return 1; }
    RSS_KIB=$(tail -n1 "$BENCH_DIR/rss.$$")
  else
    "$@" >/dev/null 2>"$BENCH_DIR/err.$$" || { cat "$BENCH_DIR/err.$$" >&2; return 1; }
    RSS_KIB=""
  fi
  end=$(now)
  ELAPSED=$(python3 -c "print(f'{$end-$start:.3f}')")
}
