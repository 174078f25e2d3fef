package dev.scpsync.cli;

import dev.scpsync.config.Config;
import dev.scpsync.config.ConfigException;
import dev.scpsync.config.ConfigLoader;
import dev.scpsync.engine.Placement;
import dev.scpsync.engine.SyncOptions;
import dev.scpsync.engine.WatchTarget;
import dev.scpsync.monitor.LogSetup;
import dev.scpsync.scan.ExcludeRules;
import dev.scpsync.transport.Protocol;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.CompressionMode;
import dev.scpsync.watch.WatchOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scpsync run -c scpsync.yaml}: the daemon. Everything a watch takes, from a config file,
 * with named targets and a placement mode. {@code --check} validates the file without connecting.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the watch described by a config file (source, targets, placement, transfer, watch, monitor, ssh).")
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The config file (YAML); see docs/scpsync.example.yaml.")
  Path file;

  @Option(names = "--check", description = "Validate the config and exit: 0 when usable, 2 with file:line:column and the reason when not. Connects to nothing.")
  boolean check;

  @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
  boolean quiet;

  @Option(names = "--status", paramLabel = "WHEN", defaultValue = "auto",
      description = "Status line on stderr per target: auto (on a terminal), always, never (default: ${DEFAULT-VALUE}).")
  String status;

  /** For tests and scripts: end the run by itself after this long, as a signal would. */
  @Option(names = "--exit-after", paramLabel = "DURATION", hidden = true, converter = WatchCommand.DurationConverter.class)
  Duration exitAfter;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Config config = load(file);
    List<WatchTarget> targets = targets(config);
    Placement placement = placement(config, targets.stream().map(WatchTarget::name).toList());
    if (check) {
      out.printf("%s: ok: source %s, %d target(s) (%s), placement %s%n", file, config.source(), config.targets().size(),
          String.join(", ", config.targets().stream().map(Config.TargetConfig::name).toList()), describe(config));
      return ExitCodes.OK;
    }
    SafetyFlags.requireSourceDirectory(config.source());
    boolean statusLine = LiveWatch.statusLine(status, quiet);
    SyncOptions options = options(config);
    HttpFlags http = new HttpFlags();
    http.http = config.http();
    http.noHttp = config.http() == null;
    http.token = config.httpToken();
    var address = http.address();
    LogSetup.configure(LogSetup.Format.parse(config.logFormat()), config.logFile());
    WatchOptions watchOptions = WatchOptions.defaults().withDebounce(config.debounce()).withSettle(config.settle());
    return new LiveWatch(quiet, statusLine, address, true, http.token(), config.verifyEvery(), exitAfter)
        .withHooks(config.onSynced(), config.hookDebounce())
        .attaching(job -> new ConfigReloader(file, config, job, err, RunCommand::targets))
        .run(out, err, ssh(config), config.source(), targets, placement, options, watchOptions);
  }

  static List<WatchTarget> targets(Config config) {
    List<WatchTarget> targets = new ArrayList<>();
    for (Config.TargetConfig t : config.targets()) {
      targets.add(new WatchTarget(t.name(), TargetSpec.parse(t.target()), protocol(t.protocol()), t.afterSync(),
          t.parallel()));
    }
    return targets;
  }

  /** Loads and validates a config; a bad one is a usage error naming file:line:column. */
  static Config load(Path file) {
    try {
      return ConfigLoader.load(file, spec -> {
        try {
          TargetSpec.parse(spec);
          return null;
        } catch (IllegalArgumentException e) {
          return e.getMessage();
        }
      });
    } catch (ConfigException e) {
      throw new ErrorReporter.UsageException(e.getMessage());
    }
  }

  static Placement placement(Config config, List<String> names) {
    return switch (config.placement().mode()) {
      case MIRROR -> Placement.mirror(names);
      case SHARD -> Placement.shard(names, config.placement().replicas());
      case BALANCE -> Placement.balance(names, "round-robin".equals(config.placement().strategy()));
    };
  }

  private static String describe(Config config) {
    return switch (config.placement().mode()) {
      case MIRROR -> "mirror";
      case SHARD -> "shard, " + config.placement().replicas() + " replica(s)";
      case BALANCE -> "balance (" + config.placement().strategy() + ")";
    };
  }

  /** The options a watch would get from the same flags; the config's values go through the same checks. */
  private static SyncOptions options(Config config) throws java.io.IOException {
    SafetyFlags safety = new SafetyFlags();
    safety.stateDir = config.stateDir();
    safety.onDrift = config.onDrift();
    safety.maxDelete = config.maxDelete();
    safety.allowEmptySource = config.allowEmptySource();
    List<Path> excludeFrom = config.excludeFrom() == null ? List.of() : List.of(config.excludeFrom());
    SyncOptions base = new SyncOptions(config.delete(), false,
        ExcludeRules.load(config.source(), config.excludes(), excludeFrom), protocol(config.protocol()));
    return safety.withState(base.withChunkSize(config.chunkSize()).withBwlimit(config.bwlimit())
        .withParallel(config.parallel()).withDelta(config.delta()), Clock.systemUTC());
  }

  private static dev.scpsync.transport.ssh.SshOptions ssh(Config config) {
    ConnectionOptions c = new ConnectionOptions();
    c.knownHosts = new ArrayList<>(config.knownHosts());
    c.identities = new ArrayList<>(config.identities());
    c.acceptNew = config.acceptNew();
    c.sshConfig = config.sshConfig();
    c.noAgent = !config.agent();
    c.compression = CompressionMode.parse(config.compression());
    return c.toSshOptions();
  }

  private static Protocol protocol(String name) {
    return Protocol.valueOf(name.toUpperCase(Locale.ROOT));
  }
}
