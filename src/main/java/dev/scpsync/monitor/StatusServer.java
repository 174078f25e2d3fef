package dev.scpsync.monitor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.scpsync.engine.TargetStatus;
import dev.scpsync.engine.WatchEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of a running watch: {@code /} (the dashboard), {@code /metrics} (Prometheus),
 * {@code /api/status} (JSON) and {@code /api/events} (Server-Sent Events, the recent events first).
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver}: four read-only routes on loopback need no
 * web framework, and SSE is a response that stays open. Each request runs on a virtual thread, so
 * an SSE client costs a parked thread, not a pooled one.
 *
 * <p>With a token every route requires it, as {@code Authorization: Bearer TOKEN} or (for the
 * browser's EventSource, which cannot set headers, and the dashboard's own links) {@code
 * ?token=TOKEN}; compared in constant time.
 */
public final class StatusServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusServer.class);
  /** Events an SSE client may fall behind by before it is dropped (it reconnects and replays). */
  private static final int CLIENT_QUEUE = 1024;
  /** An SSE comment this often keeps proxies and idle timeouts from closing the stream. */
  private static final long KEEPALIVE_SECONDS = 15;

  private final HttpServer server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final Supplier<List<TargetStatus>> status;
  private final EventHub events;
  private final Metrics metrics;
  private final byte[] token;
  private final String source;
  private final Instant started = Instant.now();
  private final Throughput throughput = new Throughput();
  private final Thread sampler;
  private volatile boolean closed;

  private StatusServer(HttpServer server, Supplier<List<TargetStatus>> status, EventHub events, Metrics metrics,
      String token, String source) {
    this.server = server;
    this.status = status;
    this.events = events;
    this.metrics = metrics;
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    this.source = source;
    server.setExecutor(threads);
    server.createContext("/", this::route);
    this.sampler = Thread.ofVirtual().name("throughput").unstarted(this::sample);
  }

  /**
   * Listens on {@code address} (port 0: any free port).
   *
   * @throws IOException when the address cannot be bound (in use, not local)
   */
  public static StatusServer start(InetSocketAddress address, Supplier<List<TargetStatus>> status, EventHub events,
      Metrics metrics, String token, String source) throws IOException {
    HttpServer http = HttpServer.create(address, 64);
    StatusServer s = new StatusServer(http, status, events, metrics, token, source);
    http.start();
    s.sampler.start();
    return s;
  }

  /** Where it listens, with the port it got. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The URL of the dashboard. */
  public String url() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
  }

  private void sample() {
    while (!closed) {
      throughput.sample(status.get(), System.nanoTime());
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void route(HttpExchange ex) throws IOException {
    try (ex) {
      if (!authorized(ex)) {
        send(ex, 401, "text/plain; charset=utf-8", "a token is required: Authorization: Bearer TOKEN\n");
        return;
      }
      if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
        send(ex, 405, "text/plain; charset=utf-8", "only GET\n");
        return;
      }
      switch (ex.getRequestURI().getPath()) {
        case "/" -> dashboard(ex);
        case "/metrics" -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        case "/api/status" -> send(ex, 200, "application/json", statusJson().toString());
        case "/api/events" -> stream(ex);
        default -> send(ex, 404, "text/plain; charset=utf-8", "no such page\n");
      }
    } catch (IOException e) {
      log.debug("HTTP {}: {}", ex.getRequestURI(), e.toString()); // a client went away
    }
  }

  private boolean authorized(HttpExchange ex) {
    if (token == null) {
      return true;
    }
    String header = ex.getRequestHeaders().getFirst("Authorization");
    String given = header != null && header.startsWith("Bearer ") ? header.substring(7).strip() : queryToken(ex.getRequestURI());
    return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
  }

  private static String queryToken(URI uri) {
    String q = uri.getRawQuery();
    if (q == null) {
      return null;
    }
    for (String part : q.split("&")) {
      if (part.startsWith("token=")) {
        return java.net.URLDecoder.decode(part.substring(6), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The status document of {@code /api/status} (also what {@code scpsync status} reads). */
  ObjectNode statusJson() {
    List<TargetStatus> targets = status.get();
    ObjectNode root = EventJson.MAPPER.createObjectNode();
    root.put("source", source);
    root.put("started", started.toString());
    root.put("now", Instant.now().toString());
    root.put("in_sync", !targets.isEmpty() && targets.stream().allMatch(t -> t.health() == TargetStatus.Health.IN_SYNC));
    ArrayNode list = root.putArray("targets");
    long files = 0;
    long bytes = 0;
    long errors = 0;
    for (TargetStatus t : targets) {
      ObjectNode o = list.addObject();
      o.put("target", t.target());
      o.put("health", t.health().label());
      o.put("pending", t.pending());
      o.put("pending_bytes", t.pendingBytes());
      o.put("in_flight", t.inFlight());
      o.put("lag_seconds", t.lag().toMillis() / 1000.0);
      o.put("files", t.files());
      o.put("bytes", t.bytes());
      o.put("deletes", t.deletes());
      o.put("errors", t.errors());
      o.put("throughput_bps", Math.round(throughput.recent(t.target(), 10)));
      ArrayNode spark = o.putArray("throughput_history");
      throughput.history(t.target()).forEach(r -> spark.add(Math.round(r)));
      o.put("last_sync", t.lastSync() == null ? null : t.lastSync().toString());
      o.put("last_converged", t.lastConverged() == null ? null : t.lastConverged().toString());
      o.put("last_error", t.lastError());
      files += t.files();
      bytes += t.bytes();
      errors += t.errors();
    }
    ObjectNode totals = root.putObject("totals");
    totals.put("files", files);
    totals.put("bytes", bytes);
    totals.put("errors", errors);
    return root;
  }

  private void dashboard(HttpExchange ex) throws IOException {
    try (InputStream in = StatusServer.class.getResourceAsStream("dashboard.html")) {
      if (in == null) {
        send(ex, 500, "text/plain; charset=utf-8", "dashboard.html is missing from this build\n");
        return;
      }
      ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'");
      send(ex, 200, "text/html; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /**
   * Server-Sent Events: the recent events, then each new one as {@code event: NAME} + {@code data:
   * JSON}, until the client leaves, falls too far behind, or the server closes.
   */
  private void stream(HttpExchange ex) throws IOException {
    BlockingQueue<WatchEvent> queue = new ArrayBlockingQueue<>(CLIENT_QUEUE);
    boolean[] overflowed = {false};
    ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    try (AutoCloseable sub = events.subscribe(e -> {
      if (!queue.offer(e)) {
        overflowed[0] = true;
      }
    })) {
      out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
      for (WatchEvent e : events.recent()) {
        write(out, e);
      }
      out.flush();
      while (!closed && !overflowed[0]) {
        WatchEvent e = queue.poll(KEEPALIVE_SECONDS, TimeUnit.SECONDS);
        if (e == null) {
          out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
        } else {
          write(out, e);
          for (WatchEvent more; (more = queue.poll()) != null; ) {
            write(out, more);
          }
        }
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      log.debug("SSE subscription: {}", e.toString());
    }
  }

  private static void write(OutputStream out, WatchEvent e) throws IOException {
    String data = EventJson.toJson(e).toString();
    out.write(("event: " + e.event() + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(code, head ? -1 : bytes.length);
    if (!head) {
      ex.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    closed = true;
    sampler.interrupt();
    server.stop(0);
    threads.shutdownNow();
  }
}
