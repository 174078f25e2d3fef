package dev.scpsync.transport;

import java.time.Instant;
import java.util.Optional;

/**
 * What a target holds at a path according to the sync state, with the file's block hashes: the
 * base a new version of a large file can be sent against as a {@link BlockDelta}. The engine backs
 * it with the state; {@link #NONE} knows nothing, and every file goes whole.
 *
 * <p>Implementations are thread-safe. The state may lag the remote, so a base is a claim the
 * uploader checks (size and mtime of the remote file, then SHA-256 of the result) before trusting.
 */
public interface DeltaBases {
  /** The last confirmed version of {@code path}, if the state has one with block hashes. */
  Optional<Base> find(String path);

  /**
   * A version of a file on the remote.
   *
   * @param size its size
   * @param mtime its modification time as sent (the remote may keep whole seconds only)
   * @param blocks the SHA-256 of each of its blocks
   */
  record Base(long size, Instant mtime, BlockHashes blocks) {}

  DeltaBases NONE = path -> Optional.empty();
}
