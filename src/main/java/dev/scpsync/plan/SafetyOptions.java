package dev.scpsync.plan;

/**
 * Limits that keep a push from destroying what it should not.
 *
 * @param onDrift what to do with remote copies changed by someone else since the last sync
 * @param maxDelete the most destination entries a run may delete, or -1 for no limit
 * @param maxDeletePercent the most, as a percentage of the destination's entries, or -1
 * @param allowEmptySource let an empty source delete everything on the destination
 * @param conflictSuffix the suffix for {@link DriftPolicy#BACKUP} copies, e.g.
 *     {@code .scpsync-conflict-20261127T101500Z} (the caller supplies the time: plans are pure)
 */
public record SafetyOptions(DriftPolicy onDrift, long maxDelete, int maxDeletePercent, boolean allowEmptySource, String conflictSuffix) {
  public static SafetyOptions defaults() {
    return new SafetyOptions(DriftPolicy.SKIP, -1, -1, false, ".scpsync-conflict");
  }
}
