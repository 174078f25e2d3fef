package dev.scpsync.cli;

import dev.scpsync.plan.DriftPolicy;
import dev.scpsync.plan.SafetyOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Push options about the sync state and about what a push may destroy. */
final class SafetyFlags {
  @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the sync state lives (default: $XDG_STATE_HOME/scpsync, i.e. ~/.local/state/scpsync).")
  Path stateDir;

  @Option(names = "--no-state", description = "Push without reading or writing the sync state (no drift detection, no rename detection).")
  boolean noState;

  @Option(names = "--trust-state", description = "Skip listing the remote when the state says it matches (for huge trees on targets nobody else touches).")
  boolean trustState;

  @Option(names = "--on-drift", paramLabel = "skip|overwrite|backup", defaultValue = "skip",
      description = "A remote file changed by someone else since the last sync: leave it and warn (default), overwrite it, or keep it as NAME.scpsync-conflict-<UTC> and write ours.")
  String onDrift;

  @Option(names = "--max-delete", paramLabel = "N|N%", description = "Delete nothing, and exit 5, when a run would delete more than N entries (or N percent of the target).")
  String maxDelete;

  @Option(names = {"-c", "--checksum"}, description = "Also compare files of equal size by content: SHA-256 locally and with sha256sum on the remote (when it can run commands).")
  boolean checksum;

  @Option(names = "--allow-empty-source", description = "Let an empty source delete everything on the target (refused by default: an unmounted drive looks empty).")
  boolean allowEmptySource;

  /** Fails with a usage error unless the local source is an existing directory. */
  static void requireSourceDirectory(Path source) {
    if (!java.nio.file.Files.isDirectory(source)) {
      throw new ErrorReporter.UsageException(
          source + ": local source " + (java.nio.file.Files.exists(source) ? "is not a directory" : "does not exist"));
    }
  }

  /** The sync options of a push or watch: the common ones plus state, safety and --checksum. */
  dev.scpsync.engine.SyncOptions withState(dev.scpsync.engine.SyncOptions base, Clock clock) {
    return new dev.scpsync.engine.SyncOptions(base.delete(), base.dryRun(), base.excludes(), base.protocol(),
        effectiveStateDir(), trustState, toSafety(clock), checksum, base.chunkSize(), base.bwlimit(), base.parallel(),
        base.delta());
  }

  Path effectiveStateDir() {
    return noState ? null : stateDir != null ? stateDir : dev.scpsync.state.StateStore.defaultStateDir();
  }

  SafetyOptions toSafety(Clock clock) {
    DriftPolicy policy;
    try {
      policy = DriftPolicy.valueOf(onDrift.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ErrorReporter.UsageException("--on-drift must be skip, overwrite or backup, not '" + onDrift + "'");
    }
    long count = -1;
    int percent = -1;
    if (maxDelete != null) {
      String v = maxDelete.strip();
      try {
        if (v.endsWith("%")) {
          percent = Integer.parseInt(v.substring(0, v.length() - 1));
          if (percent < 0 || percent > 100) {
            throw new NumberFormatException();
          }
        } else {
          count = Long.parseLong(v);
          if (count < 0) {
            throw new NumberFormatException();
          }
        }
      } catch (NumberFormatException e) {
        throw new ErrorReporter.UsageException("--max-delete takes a count (e.g. 100) or a percentage (e.g. 5%), not '" + maxDelete + "'");
      }
    }
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant());
    return new SafetyOptions(policy, count, percent, allowEmptySource, ".scpsync-conflict-" + stamp);
  }
}
