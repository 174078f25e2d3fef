package dev.scpsync.engine;

import java.time.Instant;

/**
 * How one target of a watch is doing, at one instant.
 *
 * @param target the target, as the state names it
 * @param health where its pipeline is
 * @param pending distinct paths waiting to be looked at
 * @param inFlight paths of the batch being carried out now
 * @param lastSync when a batch or reconcile last finished, or null before the first one
 * @param lastError the last problem or connection error, or null
 */
public record TargetStatus(String target, Health health, int pending, int inFlight, Instant lastSync, String lastError) {
  /** Where a target's pipeline is. */
  public enum Health {
    /** Opening a session (first or after a drop). */
    CONNECTING,
    /** Reconciling or carrying out changes. */
    SYNCING,
    /** Nothing pending: the target matches the tree as last seen. */
    IN_SYNC,
    /** The session dropped; reconnecting with backoff. */
    OFFLINE,
    /** Stopped for good by a failure retrying cannot fix (host key, authentication). */
    FAILED;

    /** Lower case, for people and JSON. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }
}
