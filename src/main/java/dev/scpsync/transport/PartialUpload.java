package dev.scpsync.transport;

import java.time.Instant;
import java.util.Objects;

/**
 * A chunked upload as its journal keeps it: where it writes, what source it was reading, and how
 * far the remote has confirmed it.
 *
 * @param path the final path, relative to the remote root
 * @param tempName the temporary name (no directory) the upload writes to, beside {@code path}
 * @param sourceSize size of the local source when the upload began
 * @param sourceMtime mtime of the local source when the upload began
 * @param prefixSha256 hex SHA-256 of the first {@code chunksConfirmed} chunks as they were read,
 *     or {@code null} before the first chunk
 * @param chunkSize bytes per chunk, positive
 * @param chunksConfirmed how many leading chunks the remote has confirmed
 */
public record PartialUpload(
    String path,
    String tempName,
    long sourceSize,
    Instant sourceMtime,
    String prefixSha256,
    long chunkSize,
    long chunksConfirmed) {

  public PartialUpload {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(tempName, "tempName");
    Objects.requireNonNull(sourceMtime, "sourceMtime");
    if (chunkSize <= 0 || chunksConfirmed < 0) {
      throw new IllegalArgumentException("bad chunk size or count: " + chunkSize + ", " + chunksConfirmed);
    }
  }

  /** Bytes the remote has confirmed: where a resume starts. */
  public long confirmedBytes() {
    return Math.min(sourceSize, Math.multiplyExact(chunkSize, chunksConfirmed));
  }

  /** The temporary path, relative to the remote root. */
  public String tempPath() {
    return dev.scpsync.tree.TreePaths.join(dev.scpsync.tree.TreePaths.parent(path), tempName);
  }
}
