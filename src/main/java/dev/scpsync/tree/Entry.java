package dev.scpsync.tree;

import java.time.Instant;
import java.util.Objects;

/**
 * One node of a tree, local or remote, as a value.
 *
 * @param path path relative to the tree's root, '/'-separated, never empty, never starting or
 *     ending with '/'
 * @param type file, directory or symlink
 * @param size content length in bytes for files; 0 for other types
 * @param mtime last modification time, at whatever precision the source could carry
 * @param mode permission bits (07777 mask)
 * @param linkTarget the target of a symlink exactly as stored, else {@code null}
 */
public record Entry(String path, EntryType type, long size, Instant mtime, int mode, String linkTarget) {

  public Entry {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(mtime, "mtime");
    if (path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
      throw new IllegalArgumentException("not a relative tree path: '" + path + "'");
    }
    if (type == EntryType.SYMLINK) {
      Objects.requireNonNull(linkTarget, "linkTarget of a symlink");
    }
    mode &= 07777;
  }

  public static Entry file(String path, long size, Instant mtime, int mode) {
    return new Entry(path, EntryType.FILE, size, mtime, mode, null);
  }

  public static Entry directory(String path, Instant mtime, int mode) {
    return new Entry(path, EntryType.DIRECTORY, 0, mtime, mode, null);
  }

  public static Entry symlink(String path, String target, Instant mtime) {
    return new Entry(path, EntryType.SYMLINK, 0, mtime, 0777, target);
  }

  public boolean isFile() {
    return type == EntryType.FILE;
  }

  public boolean isDirectory() {
    return type == EntryType.DIRECTORY;
  }

  public boolean isSymlink() {
    return type == EntryType.SYMLINK;
  }

  /** The last path element. */
  public String name() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  /** The parent's relative path, or "" for an entry directly under the root. */
  public String parent() {
    return TreePaths.parent(path);
  }
}
