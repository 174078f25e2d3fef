package dev.scpsync.cli;

import dev.scpsync.engine.SyncOptions;
import dev.scpsync.engine.SyncResult;
import dev.scpsync.engine.WatchJob;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.tree.Problem;
import dev.scpsync.watch.WatchOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code scpsync watch SRC TARGET}: reconcile like push, then mirror every local change until
 * SIGINT/SIGTERM, which end the watch cleanly (current batch finished, state flushed, exit 0).
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Mirror a local directory to a remote one like push, then keep mirroring every change in real time until interrupted.")
final class WatchCommand implements Callable<Integer> {
  /** How long a signal waits for the batch in progress before the process ends anyway. */
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SRC", description = "Local directory whose contents are mirrored.")
  Path source;

  @Parameters(index = "1", paramLabel = "TARGET", description = "[user@]host[:port]:/path, sftp://user@host:port/path or scp://...")
  String target;

  @Mixin SyncFlags flags;
  @Mixin SafetyFlags safety;
  @Mixin ConnectionOptions connection;

  @Option(names = "--debounce", paramLabel = "DURATION", defaultValue = "20ms", converter = DurationConverter.class,
      description = "Quiet time after a path's last event before it is sent (default: ${DEFAULT-VALUE}; e.g. 20ms, 2s).")
  Duration debounce;

  @Option(names = "--settle", paramLabel = "DURATION", defaultValue = "500ms", converter = DurationConverter.class,
      description = "How long a file that is still being written must stay unchanged before it is sent (default: ${DEFAULT-VALUE}; 0 turns this off).")
  Duration settle;

  @Option(names = "--verify-every", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
      description = "Also run a full reconcile (listing the remote, so drift is seen) this often; 0 turns it off (default: ${DEFAULT-VALUE}).")
  Duration verifyEvery;

  /** For tests and scripts: end the watch by itself after this long, as a signal would. */
  @Option(names = "--exit-after", paramLabel = "DURATION", hidden = true, converter = DurationConverter.class)
  Duration exitAfter;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TargetSpec targetSpec = TargetSpec.parse(target);
    SafetyFlags.requireSourceDirectory(source);
    if (flags.dryRun) {
      throw new ErrorReporter.UsageException("watch cannot --dry-run; use push --dry-run to see what a reconcile would do");
    }
    if (safety.effectiveStateDir() == null) {
      throw new ErrorReporter.UsageException("watch needs the sync state: it is its picture of the remote between changes (drop --no-state)");
    }
    WatchOptions watchOptions = watchOptions();
    SyncOptions options = safety.withState(flags.toOptions(connection.protocol, source), Clock.systemUTC());

    try (SshConnector connector = new SshConnector(connection.toSshOptions())) {
      WatchJob job = new WatchJob(connector).verifyEvery(verifyEvery);
      Thread hook = Thread.ofPlatform().unstarted(() -> stopOnSignal(job, out, err));
      Runtime.getRuntime().addShutdownHook(hook);
      Thread timer = exitAfter != null ? Thread.ofVirtual().start(() -> stopAfter(job, exitAfter)) : null;
      try {
        job.run(source, targetSpec, options, watchOptions, new Printer(out, err, targetSpec.display(), flags.quiet));
      } finally {
        if (timer != null) {
          timer.interrupt();
        }
        removeHook(hook);
      }
    }
    if (!flags.quiet) {
      out.println("watch " + targetSpec.display() + ": stopped");
    }
    out.flush();
    err.flush();
    return ExitCodes.OK;
  }

  private WatchOptions watchOptions() {
    try {
      WatchOptions defaults = WatchOptions.defaults();
      return defaults.withDebounce(debounce).withSettle(settle)
          .withMaxHold(max(defaults.maxHold(), debounce));
    } catch (IllegalArgumentException e) {
      throw new ErrorReporter.UsageException(e.getMessage());
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * SIGINT/SIGTERM: stop taking changes, let the batch in progress finish and the state flush,
   * then end with 0. Halting is what makes the exit code 0: a JVM ended by a signal would report
   * 130 or 143, and the work that code would stand for is done by then.
   */
  private static void stopOnSignal(WatchJob job, PrintWriter out, PrintWriter err) {
    job.stop();
    boolean done;
    try {
      done = job.awaitFinished(SHUTDOWN_WAIT);
    } catch (InterruptedException e) {
      done = false;
    }
    if (!done) {
      err.println("scpsync: watch: the batch in progress did not finish within " + SHUTDOWN_WAIT.toSeconds()
          + " s; exiting anyway (the state is behind the remote, never ahead)");
    }
    out.flush();
    err.flush();
    Runtime.getRuntime().halt(done ? ExitCodes.OK : ExitCodes.FAILED);
  }

  private static void stopAfter(WatchJob job, Duration delay) {
    try {
      Thread.sleep(delay);
      job.stop();
    } catch (InterruptedException e) {
      // the watch ended first
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down already: the hook is running and ends the process
    }
  }

  /** One line per reconcile and per batch on stdout; problems and warnings on stderr. */
  private static final class Printer implements WatchJob.Reporter {
    private final PrintWriter out;
    private final PrintWriter err;
    private final String where;
    private final boolean quiet;
    private boolean watching;

    Printer(PrintWriter out, PrintWriter err, String where, boolean quiet) {
      this.out = out;
      this.err = err;
      this.where = where;
      this.quiet = quiet;
    }

    @Override
    public void reconciled(SyncResult result) {
      if (!quiet || !result.matches()) {
        out.println(SyncReport.summary(watching ? "caught up" : "watch", where, result));
      }
      problems(result);
      if (!quiet && !watching) {
        out.println("watching for changes (Ctrl-C to stop)");
      }
      watching = true;
      out.flush();
    }

    @Override
    public void synced(SyncResult r) {
      if (!quiet) {
        out.println(String.format("synced %d files (%s), %d deleted, %d renamed in %d ms",
            r.filesTransferred(), Sizes.bytes(r.bytesTransferred()), r.deleted(), r.renamed(), r.elapsed().toMillis()));
        out.flush();
      }
      problems(r);
    }

    @Override
    public void disconnected(IOException cause, Duration retryIn) {
      err.println("scpsync: " + where + ": " + ErrorReporter.oneLine(cause) + "; reconnecting in " + retryIn.toMillis() + " ms");
      err.flush();
    }

    @Override
    public void warning(String message) {
      err.println("scpsync: warning: " + message);
      err.flush();
    }

    private void problems(SyncResult r) {
      for (Problem p : r.problems()) {
        err.println("scpsync: " + p.path() + ": " + p.message());
      }
      for (Problem d : r.drift()) {
        err.println("scpsync: drift: " + d);
      }
      if (r.refusalReason() != null) {
        err.println("scpsync: deleted nothing: " + r.refusalReason());
      }
      err.flush();
    }
  }

  /** Durations as people write them: {@code 20ms}, {@code 500ms}, {@code 2s}, {@code 1m}, {@code 0}. */
  static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
    private static final java.util.regex.Pattern FORMAT = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m)?");

    @Override
    public Duration convert(String value) {
      var m = FORMAT.matcher(value.strip());
      if (!m.matches() || (m.group(2) == null && Long.parseLong(m.group(1)) != 0)) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not a duration; write e.g. 20ms, 500ms, 2s or 1m");
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "ms" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMinutes(n);
      };
    }
  }
}
