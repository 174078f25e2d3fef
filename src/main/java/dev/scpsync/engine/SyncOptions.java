package dev.scpsync.engine;

import dev.scpsync.scan.ExcludeRules;
import dev.scpsync.transport.Protocol;

/**
 * Options of a one-shot push or pull.
 *
 * @param delete remove destination entries the source does not have (never excluded ones)
 * @param dryRun plan and report, change nothing
 * @param excludes paths to leave out on both sides
 * @param protocol the protocol to use, or {@link Protocol#AUTO}
 */
public record SyncOptions(boolean delete, boolean dryRun, ExcludeRules excludes, Protocol protocol) {
  public static SyncOptions defaults() {
    return new SyncOptions(false, false, ExcludeRules.none(), Protocol.AUTO);
  }
}
