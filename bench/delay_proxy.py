#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that holds every byte for DELAY_MS in each direction: a long link.

    bench/delay_proxy.py TARGET_PORT DELAY_MS

Prints its listening port on stdout, then forwards each accepted connection to
127.0.0.1:TARGET_PORT. Data read from either side is written to the other DELAY_MS after it was
read, so a round trip through the proxy takes 2 x DELAY_MS more; nothing is limited but the
delay (the proxy buffers as much as is in flight, like a fat pipe). For benchmarks where netem is
not available (no sch_netem in this kernel): flow control above TCP — an SSH channel's window —
sees the round trip, because its window adjustments are delayed as well.
"""
import asyncio
import collections
import sys
import time

TARGET = int(sys.argv[1])
DELAY = float(sys.argv[2]) / 1000.0
CHUNK = 1 << 18


async def pump(reader, writer):
    queue = collections.deque()
    arrived = asyncio.Event()
    done = False

    async def read_side():
        nonlocal done
        while True:
            data = await reader.read(CHUNK)
            queue.append((time.monotonic() + DELAY, data))
            arrived.set()
            if not data:
                done = True
                return

    async def write_side():
        while True:
            while not queue:
                arrived.clear()
                await arrived.wait()
            due, data = queue.popleft()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    try:
        await asyncio.gather(read_side(), write_side())
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", TARGET)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer), pump(server_reader, client_writer))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
