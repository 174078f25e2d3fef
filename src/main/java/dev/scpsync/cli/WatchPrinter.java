package dev.scpsync.cli;

import dev.scpsync.engine.SyncResult;
import dev.scpsync.engine.WatchEvent;
import dev.scpsync.engine.WatchJob;
import dev.scpsync.tree.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What {@code scpsync watch} prints: one line per reconcile and per batch on stdout, problems and
 * warnings on stderr, and (on a terminal) a status line redrawn at the bottom of stderr. With more
 * than one target every line starts with the target it is about.
 *
 * <p>Thread-safe: the targets report from their own threads; each report is printed whole.
 */
final class WatchPrinter implements WatchJob.Reporter {
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean prefix;
  private final boolean quiet;
  private final boolean stderrLines;
  private final Set<String> watching = new HashSet<>();
  private String statusShown = "";
  private volatile List<Consumer<WatchEvent>> sinks = List.of();

  /**
   * @param stderrLines false when stderr carries JSON log lines: then problems and warnings reach
   *     the user as events there, and a plain line would break "one JSON object per line"
   */
  WatchPrinter(PrintWriter out, PrintWriter err, boolean prefix, boolean quiet, boolean stderrLines) {
    this.out = out;
    this.err = err;
    this.prefix = prefix;
    this.quiet = quiet;
    this.stderrLines = stderrLines;
  }

  /** Where events go besides this printer (logs, metrics, the status API). */
  void sendEventsTo(List<Consumer<WatchEvent>> sinks) {
    this.sinks = List.copyOf(sinks);
  }

  @Override
  public void event(WatchEvent event) {
    for (Consumer<WatchEvent> s : sinks) {
      s.accept(event);
    }
  }

  @Override
  public synchronized void reconciled(String target, SyncResult result) {
    clearStatus();
    boolean first = watching.add(target);
    if (!quiet || !result.matches()) {
      out.println(SyncReport.summary(first ? "watch" : "caught up", target, result));
    }
    problems(target, result);
    if (!quiet && first) {
      out.println(about(target) + "watching for changes (Ctrl-C to stop)");
    }
    out.flush();
  }

  @Override
  public synchronized void synced(String target, SyncResult r) {
    clearStatus();
    if (!quiet) {
      out.println(about(target) + String.format("synced %d files (%s), %d deleted, %d renamed in %d ms",
          r.filesTransferred(), Sizes.bytes(r.bytesTransferred()), r.deleted(), r.renamed(), r.elapsed().toMillis()));
      out.flush();
    }
    problems(target, r);
  }

  @Override
  public synchronized void disconnected(String target, IOException cause, Duration retryIn) {
    stderr(target + ": " + ErrorReporter.oneLine(cause) + "; reconnecting in " + retryIn.toMillis() + " ms");
  }

  @Override
  public synchronized void failed(String target, IOException cause) {
    stderr("error: " + target + ": " + ErrorReporter.oneLine(cause) + "; not retrying, this target gets no more changes");
  }

  @Override
  public synchronized void warning(String message) {
    stderr("warning: " + message);
  }

  /** A message of the command itself (signals), on stderr. */
  synchronized void notice(String message) {
    stderr(message);
  }

  /** Replaces the status line (terminal only: it is drawn with a carriage return). */
  synchronized void status(String line) {
    clearStatus();
    err.print(line);
    err.flush();
    statusShown = line;
  }

  /** Removes the status line, so that ordinary lines never mix with it. */
  synchronized void clearStatus() {
    if (!statusShown.isEmpty()) {
      err.print("\r" + " ".repeat(statusShown.length()) + "\r");
      err.flush();
      statusShown = "";
    }
  }

  private String about(String target) {
    return prefix ? target + ": " : "";
  }

  private void stderr(String line) {
    if (!stderrLines) {
      return;
    }
    clearStatus();
    err.println("scpsync: " + line);
    err.flush();
  }

  private void problems(String target, SyncResult r) {
    for (Problem p : r.problems()) {
      stderr(about(target) + p.path() + ": " + p.message());
    }
    for (Problem d : r.drift()) {
      stderr(about(target) + "drift: " + d);
    }
    if (r.refusalReason() != null) {
      stderr(about(target) + "deleted nothing: " + r.refusalReason());
    }
  }
}
