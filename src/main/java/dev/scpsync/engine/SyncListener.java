package dev.scpsync.engine;

import dev.scpsync.plan.Plan;
import dev.scpsync.transport.TransferListener;
import dev.scpsync.tree.Problem;

/** Follows a push or pull: the plan once made, then transfer progress and per-path problems. */
public interface SyncListener extends TransferListener {
  default void connected(String where, String protocol) {}

  default void planned(Plan plan) {}

  default void problem(Problem problem) {}

  /** A remote path was deleted (after the remote confirmed it). */
  default void deleted(String path) {}

  /** A remote path was renamed, as a local move or a conflict backup (after the remote confirmed it). */
  default void renamed(String from, String to) {}

  /** Something the user should know that is not a failure (e.g. a check that could not run). */
  default void notice(String message) {}

  SyncListener NONE = new SyncListener() {};
}
