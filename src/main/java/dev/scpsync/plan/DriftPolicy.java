package dev.scpsync.plan;

/** What to do when the remote no longer holds what scpsync last wrote there. */
public enum DriftPolicy {
  /** Leave the remote copy alone and report it (the default). */
  SKIP,
  /** Overwrite or delete it anyway. */
  OVERWRITE,
  /** Rename the remote copy to {@code NAME.scpsync-conflict-<UTC>}, then write ours. */
  BACKUP
}
