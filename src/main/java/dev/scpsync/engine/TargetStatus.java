package dev.scpsync.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * How one target of a watch is doing, at one instant.
 *
 * @param target the target, as shown to people
 * @param health where its pipeline is
 * @param pending distinct paths waiting to be looked at
 * @param pendingBytes bytes of file content waiting to go to the target: the files among the
 *     pending paths (by the size the watcher saw) and what the batch in progress has not sent yet;
 *     null while not known (a directory or the whole tree waits for a rescan, or a reconcile has
 *     not finished comparing)
 * @param inFlight paths of the batch being carried out now
 * @param lag age of the oldest change not yet on the target (zero when none is waiting)
 * @param lastSync when a batch or reconcile last finished, or null before the first one
 * @param lastConverged when the target last matched the tree with nothing pending, or null
 * @param lastError the last problem or connection error, or null
 * @param files files transferred since the watch started
 * @param bytes content bytes of those files
 * @param deletes remote paths deleted
 * @param errors per-path problems and connection failures
 */
public record TargetStatus(String target, Health health, int pending, Long pendingBytes, int inFlight, Duration lag,
    Instant lastSync,
    Instant lastConverged, String lastError, long files, long bytes, long deletes, long errors) {
  /** Where a target's pipeline is. */
  public enum Health {
    /** Opening a session (first or after a drop). */
    CONNECTING,
    /** Reconciling or carrying out changes. */
    SYNCING,
    /** Nothing pending: the target matches the tree as last seen. */
    IN_SYNC,
    /** Connected, but the last batch or reconcile left paths that failed (see the last error). */
    DEGRADED,
    /** The session dropped; reconnecting with backoff. */
    OFFLINE,
    /** Stopped for good by a failure retrying cannot fix (host key, authentication). */
    FAILED;

    /** Lower case, for people and JSON. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }
}
