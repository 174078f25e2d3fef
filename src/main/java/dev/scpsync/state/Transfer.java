package dev.scpsync.state;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One upload in flight, as the transfer journal keeps it: enough to decide after a crash whether
 * the temporary file on the remote can be resumed (same source size, mtime and hash) and from
 * where.
 *
 * @param path the final path on the target
 * @param tempName the temporary name the upload writes to, in the same directory
 * @param sourceSize size of the local source when the upload began
 * @param sourceMtime mtime of the local source when the upload began
 * @param sha256 hex SHA-256 of the source's first {@code chunksConfirmed} chunks as they were
 *     sent, or {@code null} when none is confirmed yet
 * @param chunkSize bytes per chunk, positive
 * @param chunksConfirmed how many leading chunks the remote has confirmed
 * @param started when the upload began; kept to the millisecond
 */
public record Transfer(
    String path,
    String tempName,
    long sourceSize,
    Instant sourceMtime,
    String sha256,
    long chunkSize,
    long chunksConfirmed,
    Instant started) {

  public Transfer {
    Subtree.checkPath(path);
    Objects.requireNonNull(tempName, "tempName");
    Objects.requireNonNull(sourceMtime, "sourceMtime");
    if (chunkSize <= 0 || chunksConfirmed < 0) {
      throw new IllegalArgumentException(
          "chunk size must be positive and confirmed chunks not negative: " + chunkSize + ", "
              + chunksConfirmed);
    }
    // Stored as epoch milliseconds; truncating here keeps what is read back equal to this value.
    started = Objects.requireNonNull(started, "started").truncatedTo(ChronoUnit.MILLIS);
  }

  /** Bytes the remote has confirmed: the resume offset. */
  public long confirmedBytes() {
    return Math.min(sourceSize, Math.multiplyExact(chunkSize, chunksConfirmed));
  }
}
