package dev.scpsync.engine;

import dev.scpsync.plan.SafetyOptions;
import dev.scpsync.scan.ExcludeRules;
import dev.scpsync.transport.Chunking;
import dev.scpsync.transport.Protocol;
import java.nio.file.Path;

/**
 * Options of a one-shot push or pull.
 *
 * @param delete remove destination entries the source does not have (never excluded ones)
 * @param dryRun plan and report, change nothing
 * @param excludes paths to leave out on both sides
 * @param protocol the protocol to use, or {@link Protocol#AUTO}
 * @param stateDir where the sync state lives, or {@code null} to push without state
 * @param trustState skip the remote listing when the state says the target matches
 * @param safety drift policy and delete limits
 * @param checksum compare the content of same-size files by SHA-256 on both sides (the remote
 *     hashes with {@code sha256sum} where it can run commands)
 * @param chunkSize files of at least this many bytes are uploaded in chunks of this size,
 *     resumable through the state's transfer journal and verified end to end
 * @param bwlimit most bytes a second of file content sent to (or fetched from) one target; 0: no limit
 * @param parallel most SSH channels one target's uploads use at once (see {@link
 *     dev.scpsync.transport.RemoteOpener#open}); 0: the transport's default
 * @param delta send a new version of a large file as the blocks that changed, where the state
 *     knows the remote's version and the remote can copy it
 */
public record SyncOptions(
    boolean delete, boolean dryRun, ExcludeRules excludes, Protocol protocol, Path stateDir, boolean trustState,
    SafetyOptions safety, boolean checksum, long chunkSize, long bwlimit, int parallel, boolean delta) {

  public SyncOptions(boolean delete, boolean dryRun, ExcludeRules excludes, Protocol protocol, Path stateDir,
      boolean trustState, SafetyOptions safety, boolean checksum, long chunkSize) {
    this(delete, dryRun, excludes, protocol, stateDir, trustState, safety, checksum, chunkSize, 0, 0, true);
  }

  public SyncOptions(boolean delete, boolean dryRun, ExcludeRules excludes, Protocol protocol, Path stateDir,
      boolean trustState, SafetyOptions safety, boolean checksum) {
    this(delete, dryRun, excludes, protocol, stateDir, trustState, safety, checksum, Chunking.DEFAULT_CHUNK_SIZE);
  }

  /** These options with another chunk size. */
  public SyncOptions withChunkSize(long bytes) {
    return new SyncOptions(delete, dryRun, excludes, protocol, stateDir, trustState, safety, checksum, bytes, bwlimit,
        parallel, delta);
  }

  /** These options with another bandwidth limit (bytes a second, 0: none). */
  public SyncOptions withBwlimit(long bytesPerSecond) {
    return new SyncOptions(delete, dryRun, excludes, protocol, stateDir, trustState, safety, checksum, chunkSize,
        bytesPerSecond, parallel, delta);
  }

  /** These options with another number of channels per target (0: the transport's default). */
  public SyncOptions withParallel(int channels) {
    return new SyncOptions(delete, dryRun, excludes, protocol, stateDir, trustState, safety, checksum, chunkSize,
        bwlimit, channels, delta);
  }

  /** These options with block deltas for large files on or off. */
  public SyncOptions withDelta(boolean on) {
    return new SyncOptions(delete, dryRun, excludes, protocol, stateDir, trustState, safety, checksum, chunkSize,
        bwlimit, parallel, on);
  }

  /** These options with another protocol. */
  public SyncOptions withProtocol(Protocol p) {
    return new SyncOptions(delete, dryRun, excludes, p, stateDir, trustState, safety, checksum, chunkSize, bwlimit,
        parallel, delta);
  }

  public SyncOptions(boolean delete, boolean dryRun, ExcludeRules excludes, Protocol protocol) {
    this(delete, dryRun, excludes, protocol, null, false, SafetyOptions.defaults(), false);
  }

  public static SyncOptions defaults() {
    return new SyncOptions(false, false, ExcludeRules.none(), Protocol.AUTO);
  }
}
