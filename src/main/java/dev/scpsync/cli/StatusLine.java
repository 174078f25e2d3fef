package dev.scpsync.cli;

import dev.scpsync.engine.TargetStatus;
import dev.scpsync.engine.WatchJob;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The watch's status line on a terminal: per target its health, pending and in-flight paths, the
 * bytes it still has to send (when any, and known) and the time of its last sync, redrawn twice a
 * second while something changes and left alone while nothing does (an idle watch costs no
 * terminal writes).
 */
final class StatusLine implements AutoCloseable {
  private static final Duration PERIOD = Duration.ofMillis(500);
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final Thread thread;

  private StatusLine(Thread thread) {
    this.thread = thread;
  }

  static StatusLine start(WatchJob job, WatchPrinter printer) {
    Thread t = Thread.ofPlatform().daemon().name("status-line").start(() -> {
      String last = "";
      try {
        while (!Thread.currentThread().isInterrupted()) {
          Thread.sleep(PERIOD);
          String line = fit(render(job.status(), ZoneId.systemDefault()));
          if (!line.isEmpty() && !line.equals(last)) {
            printer.status(line);
            last = line;
          }
        }
      } catch (InterruptedException e) {
        // closed
      } finally {
        printer.clearStatus();
      }
    });
    return new StatusLine(t);
  }

  /**
   * One line for all targets, e.g. {@code web1:/srv in-sync 0 pending, last 21:04:07 | web2:/srv
   * offline 12 pending, 3.4 MiB to send, last 21:03:55}.
   */
  static String render(List<TargetStatus> targets, ZoneId zone) {
    return targets.stream().map(t -> {
      StringBuilder b = new StringBuilder(t.target()).append(' ').append(t.health().label())
          .append(' ').append(t.pending()).append(" pending");
      if (t.inFlight() > 0) {
        b.append(", ").append(t.inFlight()).append(" in flight");
      }
      if (t.pendingBytes() != null && t.pendingBytes() > 0) {
        b.append(", ").append(Sizes.bytes(t.pendingBytes())).append(" to send");
      }
      if (t.lastSync() != null) {
        b.append(", last ").append(CLOCK.format(LocalTime.ofInstant(t.lastSync().truncatedTo(ChronoUnit.SECONDS), zone)));
      }
      return b.toString();
    }).collect(Collectors.joining(" | "));
  }

  /** Cut to the terminal's width: a wrapped line cannot be redrawn in place. */
  private static String fit(String line) {
    int width = 100;
    try {
      width = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100").strip());
    } catch (NumberFormatException e) {
      // keep the default
    }
    int max = Math.max(20, width - 1);
    return line.length() <= max ? line : line.substring(0, max - 1) + "…";
  }

  @Override
  public void close() throws InterruptedException {
    thread.interrupt();
    thread.join(PERIOD.toMillis() * 2);
  }

}
