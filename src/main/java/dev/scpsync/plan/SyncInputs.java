package dev.scpsync.plan;

import dev.scpsync.tree.Snapshot;
import java.util.Map;

/**
 * Everything an incremental plan is decided from: values only.
 *
 * @param local the local tree now (with file keys where the scan had them)
 * @param synced what the state says was last confirmed on the target
 * @param remote the remote listing, or {@code null} when trusting the state instead of listing
 * @param localHashes SHA-256 of local files the caller hashed (candidates for "only the mtime
 *     changed" and for renames), by path
 * @param syncedHashes SHA-256 of files as last synced, by path
 * @param localFileKeys file keys (device+inode) of local entries, by path
 * @param syncedFileKeys file keys recorded in the state when each path was synced, by path
 */
public record SyncInputs(
    Snapshot local,
    Snapshot synced,
    Snapshot remote,
    Map<String, String> localHashes,
    Map<String, String> syncedHashes,
    Map<String, String> localFileKeys,
    Map<String, String> syncedFileKeys) {

  public SyncInputs {
    localHashes = Map.copyOf(localHashes);
    syncedHashes = Map.copyOf(syncedHashes);
    localFileKeys = Map.copyOf(localFileKeys);
    syncedFileKeys = Map.copyOf(syncedFileKeys);
  }

  /** Inputs without any state: a first push, or one without a state store. */
  public static SyncInputs stateless(Snapshot local, Snapshot remote) {
    return new SyncInputs(local, Snapshot.empty(), remote, Map.of(), Map.of(), Map.of(), Map.of());
  }
}
