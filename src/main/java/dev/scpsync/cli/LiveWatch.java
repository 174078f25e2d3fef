package dev.scpsync.cli;

import dev.scpsync.engine.Placement;
import dev.scpsync.engine.SyncOptions;
import dev.scpsync.engine.WatchJob;
import dev.scpsync.engine.WatchTarget;
import dev.scpsync.monitor.LogSetup;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.transport.ssh.SshOptions;
import dev.scpsync.watch.WatchOptions;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * A watch run from the command line ({@code watch} and {@code run}): the job, its printer, the
 * monitor (logs, metrics, dashboard), signal handling, the status line and the hidden {@code
 * --exit-after}.
 *
 * @param quiet print only errors
 * @param statusLine draw the status line (ignored when stderr carries JSON)
 * @param http where to serve the dashboard, or null
 * @param httpExplicit whether {@code http} was chosen by the user (then it must bind)
 * @param token bearer token for the HTTP routes, or null
 * @param verifyEvery full reconcile period (zero: never)
 * @param exitAfter end by itself after this long, or null
 * @param onSynced local command run when a file reached all its targets (empty: none)
 * @param hookDebounce quiet time before a target's after-sync command runs
 * @param attach started beside the job and closed when it ends (e.g. the config reloader)
 */
record LiveWatch(boolean quiet, boolean statusLine, InetSocketAddress http, boolean httpExplicit, String token,
    Duration verifyEvery, Duration exitAfter, List<String> onSynced, Duration hookDebounce,
    Function<WatchJob, AutoCloseable> attach) {

  LiveWatch(boolean quiet, boolean statusLine, InetSocketAddress http, boolean httpExplicit, String token,
      Duration verifyEvery, Duration exitAfter) {
    this(quiet, statusLine, http, httpExplicit, token, verifyEvery, exitAfter, List.of(), Duration.ofSeconds(1),
        job -> () -> { });
  }

  /** The same, with the on-synced command and the after-sync debounce. */
  LiveWatch withHooks(List<String> onSynced, Duration hookDebounce) {
    return new LiveWatch(quiet, statusLine, http, httpExplicit, token, verifyEvery, exitAfter, onSynced, hookDebounce,
        attach);
  }

  /** The same, with something that runs beside the job while it runs (the config reloader). */
  LiveWatch attaching(Function<WatchJob, AutoCloseable> extra) {
    return new LiveWatch(quiet, statusLine, http, httpExplicit, token, verifyEvery, exitAfter, onSynced, hookDebounce,
        extra);
  }

  /** Runs until a signal, {@code exitAfter}, or the job's own end; returns the exit code. */
  int run(PrintWriter out, PrintWriter err, SshOptions ssh, Path source, List<WatchTarget> targets,
      Placement placement, SyncOptions options, WatchOptions watchOptions) throws Exception {
    int code;
    try (SshConnector connector = new SshConnector(ssh)) {
      WatchJob job = new WatchJob(connector).verifyEvery(verifyEvery).onSynced(onSynced).hookDebounce(hookDebounce);
      WatchPrinter printer = new WatchPrinter(out, err, targets.size() > 1, quiet, !LogSetup.jsonOnConsole());
      try (LiveMonitor monitor = new LiveMonitor(job, http, httpExplicit, token, source.toAbsolutePath().toString(), printer);
          Signals signals = Signals.onInterrupt((name, count) -> onSignal(job, printer, name, count));
          AutoCloseable attached = attach.apply(job);
          StatusLine line = statusLine && !LogSetup.jsonOnConsole() ? StatusLine.start(job, printer) : null) {
        if (monitor.url() != null && !quiet) {
          out.println("dashboard: " + monitor.url());
          out.flush();
        }
        Thread timer = exitAfter != null ? Thread.ofVirtual().start(() -> stopAfter(job, exitAfter)) : null;
        try {
          job.run(source, targets, placement, options, watchOptions, printer);
        } finally {
          if (timer != null) {
            timer.interrupt();
          }
        }
        code = endCode(job, exitAfter, err);
      }
    }
    if (!quiet) {
      out.println("watch: stopped");
    }
    out.flush();
    err.flush();
    return code;
  }

  /**
   * With {@code --exit-after} (scripts, tests, benchmarks: "sync, then stop") the exit code says
   * whether every target ended in sync, as a push's would; a watch stopped by a signal ends 0.
   */
  private static int endCode(WatchJob job, Duration exitAfter, PrintWriter err) {
    List<String> behind = exitAfter == null ? List.of() : job.behindAtEnd();
    behind.forEach(b -> err.println("scpsync: error: not in sync when the watch ended: " + b));
    err.flush();
    return behind.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /** {@code auto} (a terminal, not quiet), {@code always} or {@code never}. */
  static boolean statusLine(String when, boolean quiet) {
    return switch (when) {
      case "auto" -> ProgressDisplay.stderrIsTerminal() && !quiet;
      case "always" -> true;
      case "never" -> false;
      default -> throw new ErrorReporter.UsageException("--status must be auto, always or never, not '" + when + "'");
    };
  }

  /**
   * First SIGINT/SIGTERM: stop taking changes and let the batches in progress finish, the state
   * flush and {@link #run} return 0. A second: end now, with 128 + the signal's number as a shell
   * would report it. The state stays consistent (every write is one SQLite transaction, and the
   * state never runs ahead of the remote); a temp file left on a remote is removed by the next
   * reconcile.
   */
  private static void onSignal(WatchJob job, WatchPrinter printer, String name, int count) {
    if (count == 1) {
      printer.notice("SIG" + name + ": finishing the changes in progress (again to exit at once)");
      job.stop();
      return;
    }
    printer.notice("SIG" + name + " again: exiting at once");
    Runtime.getRuntime().halt(128 + (name.equals("INT") ? 2 : 15));
  }

  private static void stopAfter(WatchJob job, Duration delay) {
    try {
      Thread.sleep(delay);
      job.stop();
    } catch (InterruptedException e) {
      // the watch ended first
    }
  }
}
