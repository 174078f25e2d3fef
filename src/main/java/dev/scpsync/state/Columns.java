package dev.scpsync.state;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.EntryType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/** Converts between {@link Entry} and the columns of the {@code synced} table. */
final class Columns {
  private Columns() {}

  /** The columns {@link #entry} reads, in order, starting at column 1. */
  static final String ENTRY = "path, type, size, mtime_sec, mtime_nsec, mode, link_target";

  static String type(EntryType type) {
    return switch (type) {
      case FILE -> "file";
      case DIRECTORY -> "dir";
      case SYMLINK -> "symlink";
    };
  }

  static EntryType type(String column) {
    return switch (column) {
      case "file" -> EntryType.FILE;
      case "dir" -> EntryType.DIRECTORY;
      case "symlink" -> EntryType.SYMLINK;
      default -> throw new IllegalStateException("unknown entry type in state: " + column);
    };
  }

  static Entry entry(ResultSet rs) throws SQLException {
    return new Entry(
        rs.getString(1),
        type(rs.getString(2)),
        rs.getLong(3),
        Instant.ofEpochSecond(rs.getLong(4), rs.getInt(5)),
        rs.getInt(6),
        rs.getString(7));
  }
}
