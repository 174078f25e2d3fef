"""Writes files into a watched source tree and times their arrival at the (local) destination.

Used by bench/latency.sh; python3 standard library only.

  latency_probe.py single SRC_DIR DEST_DIR N WARMUP SIZE GAP_MIN_MS GAP_MAX_MS TIMEOUT_S
      N + WARMUP new files, one at a time: each is written (open, write, close), then the
      destination is watched until the file is there with its full content, then a random gap,
      then the next. Latency = first moment the complete file is readable at DEST - the moment
      close() returned. Detection: inotify on DEST_DIR (ctypes) wakes the checker on every
      create/rename/close-write, and it also re-checks every 1 ms regardless, so the resolution is
      the event delivery (microseconds) and at worst ~1 ms. Prints one JSON object.

  latency_probe.py burst SRC_PARENT DEST_PARENT NAME N SIZE TIMEOUT_S
      mkdir SRC_PARENT/NAME, then N new files written back to back into it; polls
      DEST_PARENT/NAME every 2 ms until all N are there with full content. Prints one JSON object
      with the time from the mkdir to the last file complete, and from the last close() to it.
"""

import ctypes
import json
import os
import random
import select
import sys
import time

IN_MODIFY = 0x002
IN_ATTRIB = 0x004
IN_CLOSE_WRITE = 0x008
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000


def now():
    return time.perf_counter_ns()


def content_for(tag, size):
    head = f"{tag}\n".encode()
    return head + os.urandom(max(0, size - len(head)))


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)


def has(path, data):
    try:
        with open(path, "rb") as f:
            return f.read(len(data) + 1) == data
    except OSError:
        return False


class Inotify:
    def __init__(self, directory):
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        mask = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE
        if libc.inotify_add_watch(self.fd, directory.encode(), mask) < 0:
            raise OSError(ctypes.get_errno(), f"inotify_add_watch {directory}")

    def wait(self, timeout_s):
        r, _, _ = select.select([self.fd], [], [], timeout_s)
        if r:
            try:
                while os.read(self.fd, 65536):
                    pass
            except BlockingIOError:
                pass


def single(src, dest, n, warmup, size, gap_min, gap_max, timeout_s):
    # The destination directory exists once the tool's initial sync is done (the caller waits).
    watch = Inotify(dest)
    lat_ms, warm_ms, missed = [], [], []
    for i in range(warmup + n):
        name = f"w{i:05d}.txt"
        data = content_for(name, size)
        target = os.path.join(dest, name)
        write_file(os.path.join(src, name), data)
        t0 = now()
        deadline = t0 + int(timeout_s * 1e9)
        arrived = None
        while True:
            if has(target, data):
                arrived = now()
                break
            if now() > deadline:
                break
            watch.wait(0.001)
        if arrived is None:
            missed.append(name)
        else:
            ms = (arrived - t0) / 1e6
            (warm_ms if i < warmup else lat_ms).append(ms)
        time.sleep(random.uniform(gap_min, gap_max) / 1000)
    print(json.dumps({"latencies_ms": lat_ms, "warmup_ms": warm_ms, "missed": missed}))


def burst(src_parent, dest_parent, name, n, size, timeout_s):
    src = os.path.join(src_parent, name)
    dest = os.path.join(dest_parent, name)
    files = {f"b{i:05d}.txt": content_for(f"{name}/b{i:05d}", size) for i in range(n)}
    t0 = now()
    os.mkdir(src)
    for fname, data in files.items():
        write_file(os.path.join(src, fname), data)
    t_written = now()
    pending = dict(files)
    deadline = t_written + int(timeout_s * 1e9)
    t_done = None
    while True:
        try:
            present = [e.name for e in os.scandir(dest) if e.name in pending]
        except FileNotFoundError:
            present = []
        for fname in present:
            if has(os.path.join(dest, fname), pending[fname]):
                del pending[fname]
        if not pending:
            t_done = now()
            break
        if now() > deadline:
            break
        time.sleep(0.002)
    out = {
        "files": n,
        "write_s": (t_written - t0) / 1e9,
        "missing": len(pending),
    }
    if t_done is not None:
        out["total_s"] = (t_done - t0) / 1e9
        out["after_last_write_s"] = (t_done - t_written) / 1e9
    print(json.dumps(out))


def main(argv):
    mode = argv[1]
    if mode == "single":
        src, dest = argv[2], argv[3]
        n, warmup, size = int(argv[4]), int(argv[5]), int(argv[6])
        single(src, dest, n, warmup, size, float(argv[7]), float(argv[8]), float(argv[9]))
    elif mode == "burst":
        burst(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]), float(argv[7]))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv)
