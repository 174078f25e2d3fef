package dev.scpsync.tree;

/** Operations on '/'-separated relative tree paths. */
public final class TreePaths {
  private TreePaths() {}

  /** The parent of a relative path, or "" when the path is directly under the root. */
  public static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  /** Joins a base (possibly "" or "/") and a relative path with exactly one '/'. */
  public static String join(String base, String relative) {
    if (relative.isEmpty()) {
      return base;
    }
    if (base.isEmpty()) {
      return relative;
    }
    return base.endsWith("/") ? base + relative : base + "/" + relative;
  }

  /** Number of path elements: "a" is 1, "a/b" is 2. */
  public static int depth(String path) {
    int depth = 1;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        depth++;
      }
    }
    return depth;
  }

  /** Whether {@code path} equals {@code ancestor} or lies below it. */
  public static boolean isSameOrBelow(String path, String ancestor) {
    return path.equals(ancestor) || path.startsWith(ancestor + "/");
  }
}
