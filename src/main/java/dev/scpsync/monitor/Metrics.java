package dev.scpsync.monitor;

import dev.scpsync.engine.TargetStatus;
import dev.scpsync.engine.WatchEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Micrometer meters fed by the event stream (counters, the propagation histogram) and by status
 * snapshots (gauges), scraped in Prometheus text format at {@code /metrics}. The names, all
 * labelled by {@code target} where one applies, are listed in the README.
 *
 * <p>Thread-safe.
 */
public final class Metrics implements Consumer<WatchEvent>, AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Supplier<List<TargetStatus>> status;
  private final Set<String> gauged = ConcurrentHashMap.newKeySet();
  private final Map<String, TargetStatus> latest = new ConcurrentHashMap<>();
  private final JvmGcMetrics gc = new JvmGcMetrics();

  public Metrics(Supplier<List<TargetStatus>> status) {
    this.status = status;
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Counter.builder("scpsync.watch.overflows").description("Times file events were lost and a rescan ran")
        .register(registry);
  }

  @Override
  public void accept(WatchEvent e) {
    String t = e.target() == null ? "" : e.target();
    switch (e.event()) {
      case WatchEvent.FILE_UPLOADED -> {
        counter("scpsync.files.transferred", "Files that reached their final path", t).increment();
        counter("scpsync.bytes.transferred", "Content bytes of those files", t).increment(e.bytes());
      }
      case WatchEvent.FILE_DELETED -> counter("scpsync.files.deleted", "Remote paths deleted", t).increment();
      case WatchEvent.FILE_RENAMED -> counter("scpsync.files.renamed", "Remote renames", t).increment();
      case WatchEvent.TRANSFER_RETRY -> {
        counter("scpsync.retries", "Reconnect attempts", t).increment();
        errors(t, "connection");
      }
      case WatchEvent.SYNC_PROBLEM -> errors(t, "path");
      case WatchEvent.DRIFT_DETECTED -> errors(t, "drift");
      case WatchEvent.TARGET_FAILED -> errors(t, "fatal");
      case WatchEvent.WATCH_OVERFLOW -> registry.counter("scpsync.watch.overflows").increment();
      case WatchEvent.SYNC_CONVERGED -> Timer.builder("scpsync.propagation")
          .description("From a change reaching the engine (after the debounce) to its batch converging on the target")
          .tag("target", t).publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
          .register(registry).record(Duration.ofMillis(e.durationMs()));
      default -> { }
    }
  }

  private void errors(String target, String kind) {
    Counter.builder("scpsync.errors").description("Failures by kind: path, connection, drift, fatal")
        .tag("target", target).tag("kind", kind).register(registry).increment();
  }

  private Counter counter(String name, String description, String target) {
    return Counter.builder(name).description(description).tag("target", target).register(registry);
  }

  /** The Prometheus text exposition, with gauges refreshed from a status snapshot first. */
  public String scrape() {
    refresh();
    return registry.scrape();
  }

  private void refresh() {
    for (TargetStatus s : status.get()) {
      latest.put(s.target(), s);
      if (gauged.add(s.target())) {
        String t = s.target();
        gauge("scpsync.queue.paths", "Distinct paths waiting", t, x -> x.pending());
        gauge("scpsync.queue.bytes",
            "Bytes of file content waiting: queued files and the unsent rest of the batch in progress; NaN while not known",
            t, x -> x.pendingBytes() == null ? Double.NaN : x.pendingBytes());
        gauge("scpsync.inflight.paths", "Paths of the batch in progress", t, x -> x.inFlight());
        gauge("scpsync.lag.seconds", "Age of the oldest change not yet on the target", t,
            x -> x.lag().toNanos() / 1e9);
        gauge("scpsync.target.up", "1 while connected (syncing, in sync or degraded), else 0", t,
            x -> switch (x.health()) {
              case IN_SYNC, SYNCING, DEGRADED -> 1;
              default -> 0;
            });
        gauge("scpsync.target.in.sync", "1 while the target matches the tree with nothing pending", t,
            x -> x.health() == TargetStatus.Health.IN_SYNC ? 1 : 0);
      }
    }
  }

  private void gauge(String name, String description, String target, java.util.function.ToDoubleFunction<TargetStatus> f) {
    Gauge.builder(name, () -> {
      TargetStatus s = latest.get(target);
      return s == null ? Double.NaN : f.applyAsDouble(s);
    }).description(description).tag("target", target).register(registry);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
