package dev.scpsync.engine;

import dev.scpsync.transport.Futures;
import dev.scpsync.tree.Snapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One scan of the source for every target that reconciles at about the same time: at start, after
 * a reload, or when several come back together. A caller joins a scan that has not begun reading
 * the tree yet, or begins one and waits a moment for others to join; it never gets a scan that
 * began before it asked, so everything it stopped waiting for as hints is in what it gets.
 *
 * <p>Thread-safe: called from the targets' pipeline threads.
 */
final class SharedScan {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SharedScan.class);
  /** How to scan the tree once. */
  @FunctionalInterface
  interface Scanner {
    Snapshot scan() throws IOException;
  }

  /** A scan asked for and not yet begun (others may join), or begun (nobody may join). */
  private static final class Flight {
    final CompletableFuture<Snapshot> result = new CompletableFuture<>();
    int riders = 1;
  }

  private final Scanner scanner;
  private final Duration gather;
  private Flight boarding;
  private int scans;

  /** @param gather how long the first caller waits for others before the scan begins */
  SharedScan(Scanner scanner, Duration gather) {
    this.scanner = scanner;
    this.gather = gather;
  }

  /** A snapshot of the tree taken after this call began. */
  Snapshot scan() throws IOException {
    Flight flight;
    boolean first;
    synchronized (this) {
      first = boarding == null;
      if (first) {
        boarding = new Flight();
      } else {
        boarding.riders++;
      }
      flight = boarding;
    }
    if (first) {
      try {
        Thread.sleep(gather);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      int riders;
      synchronized (this) {
        boarding = null; // from here on, a caller starts a new scan
        scans++;
        riders = flight.riders;
      }
      try {
        long t0 = System.nanoTime();
        flight.result.complete(scanner.scan());
        log.debug("one scan of the source for {} target(s) in {} ms", riders, (System.nanoTime() - t0) / 1_000_000);
      } catch (IOException | RuntimeException e) {
        flight.result.completeExceptionally(e);
      }
    }
    return Futures.await(flight.result, "interrupted while waiting for a scan of the source");
  }

  /** How many scans ran (for tests and debug output). */
  synchronized int scans() {
    return scans;
  }
}
