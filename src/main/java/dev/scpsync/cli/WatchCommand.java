package dev.scpsync.cli;

import dev.scpsync.config.Durations;
import dev.scpsync.engine.Placement;
import dev.scpsync.engine.SyncOptions;
import dev.scpsync.engine.WatchTarget;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.watch.WatchOptions;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code scpsync watch SRC TARGET...}: reconcile like push, then mirror every local change to every
 * target until SIGINT/SIGTERM. The first signal ends the watch cleanly (batches in progress
 * finished, state flushed, exit 0); a second one ends the process at once.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Mirror a local directory to one or more remote ones like push, then keep mirroring every change in real time until interrupted.")
final class WatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SRC", description = "Local directory whose contents are mirrored.")
  Path source;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "TARGET",
      description = "[user@]host[:port]:/path, sftp://user@host:port/path or scp://...; several are mirrored independently.")
  List<String> targets;

  @Mixin SyncFlags flags;
  @Mixin SafetyFlags safety;
  @Mixin ConnectionOptions connection;
  @Mixin LogFlags logging;
  @Mixin HttpFlags httpFlags;

  @Option(names = "--debounce", paramLabel = "DURATION", defaultValue = "20ms", converter = DurationConverter.class,
      description = "Quiet time after a path's last event before it is sent (default: ${DEFAULT-VALUE}; e.g. 20ms, 2s).")
  Duration debounce;

  @Option(names = "--settle", paramLabel = "DURATION", defaultValue = "500ms", converter = DurationConverter.class,
      description = "How long a file that is still being written must stay unchanged before it is sent (default: ${DEFAULT-VALUE}; 0 turns this off).")
  Duration settle;

  @Option(names = "--verify-every", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
      description = "Also run a full reconcile (listing the remote, so drift is seen) this often; 0 turns it off (default: ${DEFAULT-VALUE}).")
  Duration verifyEvery;

  @Option(names = "--status", paramLabel = "WHEN", defaultValue = "auto",
      description = "Status line on stderr per target (pending, in flight, last sync): auto (on a terminal), always, never (default: ${DEFAULT-VALUE}).")
  String status;

  /** For tests and scripts: end the watch by itself after this long, as a signal would. */
  @Option(names = "--exit-after", paramLabel = "DURATION", hidden = true, converter = DurationConverter.class)
  Duration exitAfter;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<TargetSpec> specs = parseTargets();
    SafetyFlags.requireSourceDirectory(source);
    if (flags.dryRun) {
      throw new ErrorReporter.UsageException("watch cannot --dry-run; use push --dry-run to see what a reconcile would do");
    }
    if (safety.effectiveStateDir() == null) {
      throw new ErrorReporter.UsageException("watch needs the sync state: it is its picture of the remote between changes (drop --no-state)");
    }
    boolean statusLine = LiveWatch.statusLine(status, flags.quiet);
    WatchOptions watchOptions = watchOptions();
    SyncOptions options = safety.withState(flags.toOptions(connection.protocol, source), Clock.systemUTC());
    InetSocketAddress httpAddress = httpFlags.address();
    logging.apply();
    List<WatchTarget> named = specs.stream().map(WatchTarget::of).toList();
    return new LiveWatch(flags.quiet, statusLine, httpAddress, httpFlags.explicit(), httpFlags.token(), verifyEvery,
        exitAfter).run(out, err, connection.toSshOptions(), source, named,
        Placement.mirror(named.stream().map(WatchTarget::name).toList()), options, watchOptions);
  }

  private List<TargetSpec> parseTargets() {
    List<TargetSpec> specs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String t : targets) {
      TargetSpec spec = TargetSpec.parse(t);
      if (!seen.add(spec.display())) {
        throw new ErrorReporter.UsageException("target " + spec.display() + " is given twice");
      }
      specs.add(spec);
    }
    return specs;
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

  /** Durations as people write them: {@code 20ms}, {@code 500ms}, {@code 2s}, {@code 1m}, {@code 0}. */
  static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
