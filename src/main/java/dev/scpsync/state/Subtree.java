package dev.scpsync.state;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Selects a path and everything below it with a range on the primary key rather than LIKE: LIKE
 * treats '%' and '_' in file names as wildcards, and an escaped LIKE still cannot use the index.
 *
 * <p>Under SQLite's BINARY collation (UTF-8 byte order) the strings that start with
 * {@code p + "/"} are exactly those greater than {@code p + "/"} and less than {@code p + "0"},
 * because '0' is the byte after '/'. Siblings such as {@code p + "2"} or {@code p + ".txt"} fall
 * outside. Java's {@code String.compareTo} orders UTF-16 units, not UTF-8 bytes, so the bounds are
 * only compared by SQLite, never in Java.
 */
final class Subtree {
  private Subtree() {}

  /** A WHERE fragment with three parameters, bound by {@link #bind}. */
  static final String CONDITION = "(path = ? OR (path > ? AND path < ?))";

  /** Binds {@link #CONDITION}'s parameters from {@code index}; returns the next free index. */
  static int bind(PreparedStatement ps, int index, String path) throws SQLException {
    ps.setString(index, path);
    ps.setString(index + 1, path + "/");
    ps.setString(index + 2, path + "0");
    return index + 3;
  }

  /** Rejects what is not a relative tree path, as {@code Entry} does, before it reaches SQL. */
  static String checkPath(String path) {
    if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
      throw new IllegalArgumentException("not a relative tree path: '" + path + "'");
    }
    return path;
  }
}
