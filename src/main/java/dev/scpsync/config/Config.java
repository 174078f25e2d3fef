package dev.scpsync.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A validated {@code scpsync.yaml}: immutable, paths absolute (relative ones are taken from the
 * config file's directory), durations parsed. See {@code docs/scpsync.example.yaml} for every key.
 *
 * @param file the config file itself
 * @param chunkSize files of at least this size go in resumable chunks of it
 * @param bwlimit most bytes of file content a second per target, 0 for no limit
 * @param compression SSH transport compression: {@code off}, {@code on} or {@code auto}
 * @param parallel most SSH channels each target's uploads use at once, 0 for the transport's
 *     default (a target may say otherwise)
 * @param delta send changed large files as the blocks that changed
 * @param http {@code ADDR:PORT} for the status server, or null for none ({@code http: off})
 * @param onSynced the local command (argument vector) run when a file reached all its targets, or empty
 * @param hookDebounce how long a target stays converged before its after-sync command runs
 */
public record Config(Path file, Path source, List<String> excludes, Path excludeFrom, Path stateDir, boolean delete,
    PlacementConfig placement, String protocol, Duration verifyEvery, String maxDelete, String onDrift,
    boolean allowEmptySource, long chunkSize, long bwlimit, String compression, int parallel, boolean delta, Duration debounce, Duration settle, String http, String httpToken, String logFormat,
    Path logFile, List<Path> knownHosts, List<Path> identities, boolean acceptNew, Path sshConfig, boolean agent,
    List<String> onSynced, Duration hookDebounce, List<TargetConfig> targets) {

  public Config {
    excludes = List.copyOf(excludes);
    knownHosts = List.copyOf(knownHosts);
    identities = List.copyOf(identities);
    onSynced = List.copyOf(onSynced);
    targets = List.copyOf(targets);
  }

  /** The settings a reload cannot change: everything but the targets and the placement. */
  public Config withoutTargets() {
    return new Config(file, source, excludes, excludeFrom, stateDir, delete, null, protocol, verifyEvery, maxDelete,
        onDrift, allowEmptySource, chunkSize, bwlimit, compression, parallel, delta, debounce, settle, http, httpToken, logFormat, logFile, knownHosts, identities,
        acceptNew, sshConfig, agent, onSynced, hookDebounce, List.of());
  }

  /** Most channels a target may be given; the transport's own limit (config may not import it). */
  public static final int MAX_PARALLEL = 16;

  /**
   * One target: a unique name, its spec, its own protocol choice, its after-sync command (or null)
   * and its own number of channels (0: {@code transfer.parallel}).
   */
  public record TargetConfig(String name, String target, String protocol, String afterSync, int parallel) {}

  /** How files are spread over the targets. */
  public record PlacementConfig(Mode mode, int replicas, String strategy) {
    /** The placement modes. */
    public enum Mode {
      /** Every target gets every file. */
      MIRROR,
      /** Each file goes to {@code replicas} of the targets, by rendezvous hashing on its path. */
      SHARD,
      /** Each file goes to exactly one target, the least loaded (or round robin). */
      BALANCE
    }
  }
}
