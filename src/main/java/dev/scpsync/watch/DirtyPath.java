package dev.scpsync.watch;

import dev.scpsync.tree.TreePaths;
import java.util.Objects;

/**
 * A hint that something at a path, or anywhere below it, may have changed: the watcher's only
 * output. A hint is never the truth: the path may have changed again, been deleted or never have
 * existed by the time it is read, so the consumer re-stats the path (or rescans the subtree) before
 * acting.
 *
 * <p>A vanished path is still a hint (probably a deletion). A file that was created and removed
 * again within one debounce window, such as an editor's temp file, yields no hint at all.
 *
 * @param path '/'-separated, relative to the watched root; {@code ""} (the root itself) only for a
 *     subtree hint, which asks for a rescan of the whole tree
 * @param subtree whether everything below {@code path} must be rescanned, not just the path: after
 *     a directory was created, moved or deleted, after events were lost (overflow) and for a
 *     directory that could not be watched
 * @param size the bytes of file content at the path when the watcher last looked (the length of a
 *     regular file; 0 for a directory, a symlink or a path that is gone), for status only: a hint
 *     in its own right, like the path. {@link #UNKNOWN} for a subtree (its content is not walked)
 *     or when the path could not be read
 */
public record DirtyPath(String path, boolean subtree, long size) {
  /** The size of a hint whose content bytes are not known. */
  public static final long UNKNOWN = -1;

  public DirtyPath {
    Objects.requireNonNull(path, "path");
    if (path.startsWith("/") || path.endsWith("/") || (path.isEmpty() && !subtree)) {
      throw new IllegalArgumentException("not a relative tree path: '" + path + "'");
    }
    if (size < UNKNOWN || (subtree && size != UNKNOWN)) {
      throw new IllegalArgumentException("a hint's size is UNKNOWN for a subtree, else >= 0: " + size);
    }
  }

  /** A hint, of unknown size. */
  public DirtyPath(String path, boolean subtree) {
    this(path, subtree, UNKNOWN);
  }

  /** A hint for one path, of unknown size. */
  public static DirtyPath of(String path) {
    return new DirtyPath(path, false);
  }

  /** A hint for one path that held {@code size} bytes of file content when it was looked at. */
  public static DirtyPath of(String path, long size) {
    return new DirtyPath(path, false, size);
  }

  /** A hint to rescan {@code path} and everything below it. */
  public static DirtyPath subtreeOf(String path) {
    return new DirtyPath(path, true);
  }

  /** A hint to rescan the whole tree. */
  public static DirtyPath wholeTree() {
    return new DirtyPath("", true);
  }

  /** Whether acting on this hint also covers {@code other}: same path, or below this subtree. */
  public boolean covers(String other) {
    if (path.equals(other)) {
      return true;
    }
    return subtree && (path.isEmpty() || TreePaths.isSameOrBelow(other, path));
  }
}
