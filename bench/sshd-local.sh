# Sourced by the benchmarks: starts a throwaway OpenSSH sshd on a loopback port with generated
# keys in $BENCH_DIR, and defines SSH_OPTS / helper functions. Stopped by stop_sshd (trap).
set -euo pipefail

start_sshd() {
  local dir="$BENCH_DIR/sshd"
  mkdir -p "$dir" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/user_ed25519"
  cp "$dir/user_ed25519.pub" "$dir/authorized_keys"
  SSHD_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$dir/sshd_config" <<CFG
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
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
  /usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>"$dir/sshd.log" &
  SSHD_PID=$!
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$SSHD_PORT") 2>/dev/null && break
    sleep 0.05
  done
  echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" > "$dir/known_hosts"
  USER_KEY="$dir/user_ed25519"
  KNOWN_HOSTS="$dir/known_hosts"
  CIPHER=aes128-gcm@openssh.com
  SSH_OPTS=(-o BatchMode=yes -o UserKnownHostsFile="$KNOWN_HOSTS" -o StrictHostKeyChecking=yes -i "$USER_KEY" -c "$CIPHER")
  REMOTE_USER=$(id -un)
}

stop_sshd() {
  if [[ -n "${SSHD_PID:-}" ]]; then
    pkill -P "$SSHD_PID" 2>/dev/null || true
    kill "$SSHD_PID" 2>/dev/null || true
    wait "$SSHD_PID" 2>/dev/null || true
  fi
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
