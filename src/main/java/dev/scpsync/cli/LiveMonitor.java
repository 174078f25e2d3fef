package dev.scpsync.cli;

import dev.scpsync.engine.WatchEvent;
import dev.scpsync.engine.WatchJob;
import dev.scpsync.monitor.EventHub;
import dev.scpsync.monitor.EventLog;
import dev.scpsync.monitor.Metrics;
import dev.scpsync.monitor.StatusServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything that watches a running {@link WatchJob} from outside: the event log, the metrics, the
 * recent-events hub and (unless turned off) the HTTP status server with the dashboard.
 */
final class LiveMonitor implements AutoCloseable {
  private final Metrics metrics;
  private final EventHub hub = new EventHub(200);
  private final StatusServer http;

  /**
   * @param address where to serve HTTP, or null for no server
   * @param mustBind whether failing to bind is an error (an address the user chose) or only costs
   *     the dashboard, with a warning through {@code printer} (the default port is taken)
   */
  LiveMonitor(WatchJob job, InetSocketAddress address, boolean mustBind, String token, String source,
      WatchPrinter printer) throws IOException {
    this.metrics = new Metrics(job::status);
    StatusServer server = null;
    if (address != null) {
      try {
        server = StatusServer.start(address, job::status, hub, metrics, token, source);
      } catch (IOException e) {
        String why = "cannot serve the dashboard on " + address.getHostString() + ":" + address.getPort() + ": "
            + e.getMessage();
        if (mustBind) {
          metrics.close();
          throw new IOException(why, e);
        }
        printer.warning(why + "; carrying on without it (choose another with --http ADDR:PORT)");
      }
    }
    this.http = server;
    printer.sendEventsTo(sinks());
  }

  /** Where the events of the watch go. */
  private List<Consumer<WatchEvent>> sinks() {
    return List.of(new EventLog(), metrics, hub);
  }

  /** The dashboard's URL, or null when there is no HTTP server. */
  String url() {
    return http == null ? null : http.url();
  }

  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
    metrics.close();
  }
}
