#!/usr/bin/env python3
"""A TCP proxy on a loopback port that counts the bytes clients send upstream.

Used by the benchmarks to measure bytes on the wire the same way for every tool (SSH framing
included): scpsync, rsync and scp all connect through it. Prints its port on stdout, then keeps
the running total of upstream bytes of closed connections in COUNT_FILE.

    byte_proxy.py TARGET_PORT COUNT_FILE
"""
import socket
import sys
import threading

target_port = int(sys.argv[1])
count_file = sys.argv[2]
lock = threading.Lock()
total = 0


def pump(src, dst, counted):
    global total
    sent = 0
    try:
        while True:
            data = src.recv(1 << 16)
            if not data:
                break
            dst.sendall(data)
            sent += len(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    if counted:
        with lock:
            total += sent
            with open(count_file, "w") as f:
                f.write(str(total))


def serve(client):
    upstream = socket.create_connection(("127.0.0.1", target_port))
    for s in (client, upstream):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    down = threading.Thread(target=pump, args=(upstream, client, False), daemon=True)
    down.start()
    pump(client, upstream, True)
    down.join()
    client.close()
    upstream.close()


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
with open(count_file, "w") as f:
    f.write("0")
print(listener.getsockname()[1], flush=True)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
