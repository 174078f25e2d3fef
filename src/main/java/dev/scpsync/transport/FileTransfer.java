package dev.scpsync.transport;

import dev.scpsync.tree.Entry;
import java.nio.file.Path;

/**
 * One file to move: the entry as it should end up (remote path, size, mode, mtime) and the local
 * file it is read from (upload) or written to (download).
 */
public record FileTransfer(Entry entry, Path local) {}
