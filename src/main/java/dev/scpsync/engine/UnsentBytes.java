package dev.scpsync.engine;

import java.util.OptionalLong;

/**
 * The bytes of file content that one target's batch in progress (or full reconcile) still has to
 * send: for its status, next to the bytes still queued.
 *
 * <p>A batch starts with the sizes its hints carried ({@link #expect}), or unknown (a reconcile
 * compares the whole tree before it knows); once planned the figure is the plan's file bytes, and
 * it goes down as content is sent, skipped by a resumed upload, or given up with a failed file.
 * Transports report bytes without saying whose they are, so the remainder is the plan's bytes less
 * whichever is further along, the bytes moved or the sizes of the files finished: exact at every
 * file boundary, and between them for files sent whole, one after the other. A batch that fails as
 * a whole leaves its remainder in place: it still waits, until the reconcile after the reconnect
 * has planned again.
 *
 * <p>Thread-safe: transfers report from several threads, the status is read from any.
 */
final class UnsentBytes {
  private boolean known;
  private long planned;
  private long moved;
  private long finished;

  /** Starts with nothing known, as before a target's first reconcile. */
  UnsentBytes() {
    unknown();
  }

  /** A batch of hints was taken: its bytes, as the hints knew them, until it is planned. */
  synchronized void expect(OptionalLong bytes) {
    reset(bytes.isPresent(), bytes.orElse(0));
  }

  /** A full reconcile begins: what it will send is not known until it has planned. */
  synchronized void unknown() {
    reset(false, 0);
  }

  /** The batch was planned to send {@code bytes} of file content. */
  synchronized void planned(long bytes) {
    reset(true, bytes);
  }

  /** {@code bytes} of content moved (or were found on the remote already by a resumed upload). */
  synchronized void moved(long bytes) {
    moved += bytes;
  }

  /** A file of {@code size} bytes is finished with: in place, or failed. */
  synchronized void finished(long size) {
    finished += size;
  }

  /** The batch is over and nothing of it waits any more. */
  synchronized void clear() {
    reset(true, 0);
  }

  /** What is left to send, or empty when it is not known. */
  synchronized OptionalLong remaining() {
    return known ? OptionalLong.of(Math.max(0, planned - Math.max(moved, finished))) : OptionalLong.empty();
  }

  private void reset(boolean known, long planned) {
    this.known = known;
    this.planned = planned;
    this.moved = 0;
    this.finished = 0;
  }
}
