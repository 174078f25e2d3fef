package dev.scpsync.engine;

import java.time.Instant;

/**
 * One thing that happened in a watch, in the stable event vocabulary of logs, metrics and the
 * status API (the README lists it). Each happens once per occurrence, never per chunk or per
 * retry of the same write; fields that do not apply are null. Never carries key material.
 *
 * @param ts when it happened
 * @param level {@code info}, {@code warn} or {@code error}
 * @param event the name, one of the constants below
 * @param target the target it concerns, or null for the watcher's own events
 * @param path the tree path it concerns (for a rename: the new path)
 * @param from for a rename: the old path
 * @param bytes content bytes moved
 * @param durationMs how long it took
 * @param attempt for retries: which attempt comes next (1 = the first retry)
 * @param error what went wrong, one line
 */
public record WatchEvent(Instant ts, String level, String event, String target, String path, String from,
    Long bytes, Long durationMs, Integer attempt, String error) {
  public static final String SYNC_START = "sync.start";
  public static final String SYNC_RECONCILED = "sync.reconciled";
  public static final String SYNC_CONVERGED = "sync.converged";
  public static final String SYNC_PROBLEM = "sync.problem";
  public static final String FILE_UPLOADED = "file.uploaded";
  public static final String FILE_DELETED = "file.deleted";
  public static final String FILE_RENAMED = "file.renamed";
  public static final String DRIFT_DETECTED = "drift.detected";
  public static final String TRANSFER_RETRY = "transfer.retry";
  public static final String TRANSFER_RESUMED = "transfer.resumed";
  public static final String TRANSFER_DELTA = "transfer.delta";
  public static final String TARGET_ONLINE = "target.online";
  public static final String TARGET_OFFLINE = "target.offline";
  public static final String TARGET_FAILED = "target.failed";
  public static final String TARGET_REMOVED = "target.removed";
  public static final String WATCH_OVERFLOW = "watch.overflow";
  public static final String WATCH_WARNING = "watch.warning";

  static WatchEvent info(String event, String target) {
    return new WatchEvent(Instant.now(), "info", event, target, null, null, null, null, null, null);
  }

  static WatchEvent warn(String event, String target, String error) {
    return new WatchEvent(Instant.now(), "warn", event, target, null, null, null, null, null, error);
  }

  static WatchEvent error(String event, String target, String error) {
    return new WatchEvent(Instant.now(), "error", event, target, null, null, null, null, null, error);
  }

  WatchEvent path(String p) {
    return new WatchEvent(ts, level, event, target, p, from, bytes, durationMs, attempt, error);
  }

  WatchEvent from(String f) {
    return new WatchEvent(ts, level, event, target, path, f, bytes, durationMs, attempt, error);
  }

  WatchEvent bytes(long b) {
    return new WatchEvent(ts, level, event, target, path, from, b, durationMs, attempt, error);
  }

  WatchEvent durationMs(long d) {
    return new WatchEvent(ts, level, event, target, path, from, bytes, d, attempt, error);
  }

  WatchEvent attempt(int a) {
    return new WatchEvent(ts, level, event, target, path, from, bytes, durationMs, a, error);
  }
}
