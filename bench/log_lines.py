#!/usr/bin/env python3
"""Writes a log-like text file of a given size for the compression benchmark (bench/compress.sh).

Lines look like a web service's log: an ISO timestamp that advances by a few milliseconds, a
level (mostly INFO), a thread name, a logger, and a message: access lines (client address from a
pool, method, path with numeric ids and query values, status, bytes, latency, a random 64-bit
request id, user agent from a pool), plus now and then a warning, an error with a short Java
stack trace, or a GC/pool statistics line. The random ids, addresses and numbers keep it from
compressing like a repeated line would; it compresses roughly as real access logs do.

    log_lines.py OUT SIZE_MIB [SEED]
"""
import random
import sys
from datetime import datetime, timedelta, timezone

out, size_mib = sys.argv[1], int(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 5)
target = size_mib * 1024 * 1024

clients = [f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(2000)] + [
    f"203.0.113.{i}" for i in range(1, 255)] + [f"198.51.100.{i}" for i in range(1, 255)]
agents = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "curl/8.5.0", "okhttp/4.12.0", "python-requests/2.32.3", "Go-http-client/2.0",
    "kube-probe/1.31", "Prometheus/2.54.1",
]
routes = [
    ("GET", "/api/v2/orders/{id}"), ("GET", "/api/v2/orders/{id}/items?page={n}&size=50"),
    ("POST", "/api/v2/orders"), ("PUT", "/api/v2/orders/{id}/status"), ("GET", "/api/v2/customers/{id}"),
    ("GET", "/api/v2/products?category={cat}&sort=price&page={n}"), ("GET", "/api/v2/products/{id}"),
    ("DELETE", "/api/v2/carts/{id}/lines/{n}"), ("POST", "/api/v2/carts/{id}/checkout"),
    ("GET", "/static/js/app.{hex}.js"), ("GET", "/healthz"), ("GET", "/metrics"),
    ("POST", "/api/v2/auth/token"), ("GET", "/api/v2/search?q={word}&limit=20"),
]
categories = ["books", "garden", "toys", "electronics", "kitchen", "sports", "music", "outdoor"]
words = ["lamp", "chair", "kettle", "drill", "bicycle", "router", "jacket", "tent", "cable", "desk",
         "mug", "headphones", "keyboard", "monitor", "shoes", "backpack"]
statuses = [200] * 80 + [201] * 5 + [204] * 3 + [304] * 4 + [400] * 2 + [401, 403, 404, 404, 409, 500, 502, 503]
levels = ["INFO"] * 92 + ["DEBUG"] * 4 + ["WARN"] * 3 + ["ERROR"]
loggers = ["c.e.shop.web.AccessLog", "c.e.shop.orders.OrderService", "c.e.shop.db.Pool",
           "c.e.shop.cache.ProductCache", "o.h.engine.jdbc.spi.SqlExceptionHelper"]
warnings = [
    "slow query: {ms} ms for SELECT o.* FROM orders o WHERE o.customer_id = ? (rows={n})",
    "cache miss storm: {n} misses in the last 10s for region products",
    "retrying payment gateway call (attempt {k}/3) after timeout of {ms} ms",
    "connection pool near capacity: active={k}0, idle=0, waiting={n}",
]
errors = [
    ("java.net.SocketTimeoutException: Read timed out", "c.e.shop.payments.GatewayClient.charge(GatewayClient.java:{n})"),
    ("java.lang.IllegalStateException: order {id} is already shipped", "c.e.shop.orders.OrderService.cancel(OrderService.java:{n})"),
    ("org.postgresql.util.PSQLException: ERROR: deadlock detected", "c.e.shop.db.OrderRepository.save(OrderRepository.java:{n})"),
]
frames = ["c.e.shop.web.OrderController.handle(OrderController.java:88)",
          "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)",
          "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)",
          "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:168)",
          "java.base/java.lang.Thread.run(Thread.java:1583)"]

t = datetime(2026, 11, 27, 0, 0, 0, tzinfo=timezone.utc)
written = 0
with open(out, "w", buffering=1 << 20) as f:
    while written < target:
        batch = []
        for _ in range(2000):
            t += timedelta(microseconds=rng.randrange(200, 9000))
            ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
            level = rng.choice(levels)
            thread = f"http-nio-8080-exec-{rng.randrange(1, 200)}"
            if level in ("INFO", "DEBUG"):
                if rng.random() < 0.97:
                    method, path = rng.choice(routes)
                    path = path.format(id=rng.randrange(1, 5_000_000), n=rng.randrange(1, 40),
                                       cat=rng.choice(categories), word=rng.choice(words),
                                       hex=f"{rng.getrandbits(32):08x}")
                    status = rng.choice(statuses)
                    batch.append(
                        f'{ts} {level:<5} [{thread}] c.e.shop.web.AccessLog - {rng.choice(clients)} "{method} {path} HTTP/1.1" '
                        f'{status} {rng.randrange(0, 40000)} {rng.randrange(1, 900)}.{rng.randrange(10)}ms '
                        f'req={rng.getrandbits(64):016x} ua="{rng.choice(agents)}"\n')
                else:
                    batch.append(
                        f"{ts} {level:<5} [pool-stats] c.e.shop.db.Pool - active={rng.randrange(40)} idle={rng.randrange(20)} "
                        f"waiting=0 total=64 heap_used={rng.randrange(200, 1800)}M gc_pause={rng.randrange(1, 80)}ms\n")
            elif level == "WARN":
                msg = rng.choice(warnings).format(ms=rng.randrange(500, 30000), n=rng.randrange(1, 5000), k=rng.randrange(1, 4))
                batch.append(f"{ts} WARN  [{thread}] {rng.choice(loggers)} - {msg}\n")
            else:
                exc, frame = rng.choice(errors)
                exc = exc.format(id=rng.randrange(1, 5_000_000))
                batch.append(f"{ts} ERROR [{thread}] c.e.shop.web.ErrorHandler - request failed: {exc}\n")
                batch.append(f"\tat {frame.format(n=rng.randrange(40, 400))}\n")
                batch.extend(f"\tat {fr}\n" for fr in frames)
        chunk = "".join(batch)
        f.write(chunk)
        written += len(chunk)
    f.truncate(target)
