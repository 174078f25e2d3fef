package dev.scpsync.state;

import dev.scpsync.tree.Entry;

/**
 * What the state says was last confirmed at one path of a target.
 *
 * @param entry the entry as confirmed on the target
 * @param sha256 lowercase hex SHA-256 of the content as synced, or {@code null} if never computed
 * @param fileKey the local source's file key when it was synced, or {@code null}
 */
public record SyncedFile(Entry entry, String sha256, String fileKey) {}
