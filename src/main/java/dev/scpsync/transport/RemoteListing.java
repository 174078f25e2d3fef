package dev.scpsync.transport;

import dev.scpsync.tree.Snapshot;

/**
 * The result of listing a remote tree.
 *
 * @param rootExists whether the root directory exists (when false, the snapshot is empty)
 * @param tree everything below the root
 */
public record RemoteListing(boolean rootExists, Snapshot tree) {}
