package dev.scpsync.cli;

import dev.scpsync.engine.SyncListener;
import dev.scpsync.plan.Plan;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.tree.Problem;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-line progress bar on a terminal (files, bytes, rate, ETA), redrawn at most ten times a
 * second; silent when not on a terminal. Problems are printed as they happen, one per line.
 */
final class ProgressDisplay implements SyncListener {
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean terminal;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong files = new AtomicLong();
  private volatile long totalBytes;
  private volatile int totalFiles;
  private volatile long started = System.nanoTime();
  private volatile long lastDraw;
  private volatile boolean drawn;

  ProgressDisplay(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public void planned(Plan plan) {
    totalBytes = plan.fileBytes();
    totalFiles = plan.files().size();
    started = System.nanoTime();
  }

  @Override
  public void bytes(long count) {
    bytes.addAndGet(count);
    maybeDraw();
  }

  @Override
  public void done(FileTransfer file) {
    files.incrementAndGet();
    maybeDraw();
  }

  @Override
  public synchronized void problem(Problem problem) {
    clearLine();
    err.println("scpsync: " + problem.toString().replaceAll("\\p{Cntrl}", "?"));
    err.flush();
  }

  @Override
  public synchronized void resumed(FileTransfer file, long already) {
    clearLine();
    err.println("scpsync: " + file.entry().path().replaceAll("\\p{Cntrl}", "?") + ": resuming an interrupted upload, "
        + Sizes.bytes(already) + " of " + Sizes.bytes(file.entry().size()) + " already on the remote");
    err.flush();
  }

  @Override
  public synchronized void notice(String message) {
    clearLine();
    err.println("scpsync: warning: " + message.replaceAll("\\p{Cntrl}", "?"));
    err.flush();
  }

  private void maybeDraw() {
    if (!terminal) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDraw < REDRAW_NANOS) {
      return;
    }
    synchronized (this) {
      lastDraw = now;
      long done = bytes.get();
      Duration elapsed = Duration.ofNanos(now - started);
      double rate = done / Math.max(elapsed.toNanos() / 1e9, 1e-3);
      long eta = rate > 0 ? (long) ((totalBytes - done) / rate) : 0;
      int width = 24;
      int filled = totalBytes > 0 ? (int) (width * Math.min(1.0, done / (double) totalBytes)) : width;
      String bar = "#".repeat(filled) + "-".repeat(width - filled);
      err.print("\r[" + bar + "] " + files.get() + "/" + totalFiles + " files  " + Sizes.bytes(done) + "/" + Sizes.bytes(totalBytes)
          + "  " + Sizes.rate(done, elapsed) + "  ETA " + Sizes.clock(Math.max(0, eta)) + "   ");
      err.flush();
      drawn = true;
    }
  }

  synchronized void finish() {
    clearLine();
  }

  private void clearLine() {
    if (terminal && drawn) {
      err.print("\r" + " ".repeat(100) + "\r");
      err.flush();
      drawn = false;
    }
  }

  static boolean stderrIsTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      // Java 22+ may return a console even when redirected; isTerminal() tells the truth there.
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
