package dev.scpsync.state;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The state database's schema, as the ordered list of migrations that build it, and the code that
 * applies them. The version lives in {@code PRAGMA user_version}, which SQLite keeps in the file
 * header and changes inside the migrating transaction.
 *
 * <p>Paths are TEXT compared with SQLite's default BINARY collation (UTF-8 byte order). Subtree
 * queries rely on it: see {@link Subtree}.
 *
 * <p>mtime is stored as seconds plus nanoseconds (like {@code struct stat}'s {@code st_mtim})
 * rather than one nanosecond count, which overflows a 64-bit integer past the year 2262 — and
 * files dated 9999 do exist.
 */
final class Schema {
  private Schema() {}

  static final List<Migration> MIGRATIONS = List.of(
      new Migration(1, List.of(
          // source_path: which tree this file belongs to, for humans and as a guard.
          """
          CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
          )""",
          """
          CREATE TABLE target (
            id  INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE
          )""",
          // One row per path last confirmed on a target. WITHOUT ROWID: the primary key is the
          // only way rows are found, so the table is the index.
          """
          CREATE TABLE synced (
            target_id    INTEGER NOT NULL REFERENCES target(id),
            path         TEXT    NOT NULL,
            type         TEXT    NOT NULL CHECK (type IN ('file', 'dir', 'symlink')),
            size         INTEGER NOT NULL,
            mtime_sec    INTEGER NOT NULL,
            mtime_nsec   INTEGER NOT NULL CHECK (mtime_nsec BETWEEN 0 AND 999999999),
            mode         INTEGER NOT NULL,
            link_target  TEXT,
            sha256       TEXT,
            block_hashes BLOB,
            file_key     TEXT,
            PRIMARY KEY (target_id, path)
          ) WITHOUT ROWID""",
          """
          CREATE INDEX synced_by_file_key ON synced (target_id, file_key)
            WHERE file_key IS NOT NULL""",
          // Uploads in flight, so an interrupted large file resumes from its last confirmed chunk.
          """
          CREATE TABLE journal (
            target_id        INTEGER NOT NULL REFERENCES target(id),
            path             TEXT    NOT NULL,
            temp_name        TEXT    NOT NULL,
            source_size      INTEGER NOT NULL,
            mtime_sec        INTEGER NOT NULL,
            mtime_nsec       INTEGER NOT NULL,
            sha256           TEXT,
            chunk_size       INTEGER NOT NULL CHECK (chunk_size > 0),
            chunks_confirmed INTEGER NOT NULL DEFAULT 0,
            started_ms       INTEGER NOT NULL,
            PRIMARY KEY (target_id, path)
          ) WITHOUT ROWID""")));

  static int latest(List<Migration> migrations) {
    return migrations.isEmpty() ? 0 : migrations.get(migrations.size() - 1).version();
  }

  static int version(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  /** Refuses a database written by a newer build: it may hold data this build would destroy. */
  static void refuseNewer(Path file, int version, List<Migration> migrations) throws IOException {
    int known = latest(migrations);
    if (version > known) {
      throw new IOException(file + " was created by a newer scpsync (schema " + version
          + ", this build knows " + known + "); refusing to touch it");
    }
  }

  /**
   * Applies, in order and in the caller's transaction, every migration newer than the database.
   * The version is re-read here, inside the transaction, because another process may have
   * migrated the file since it was opened.
   */
  static void migrate(Connection c, Path file, List<Migration> migrations)
      throws SQLException, IOException {
    int current = version(c);
    refuseNewer(file, current, migrations);
    int expected = current + 1;
    for (Migration m : migrations) {
      if (m.version() <= current) {
        continue;
      }
      if (m.version() != expected) {
        throw new IllegalStateException("migrations must be numbered without gaps; expected "
            + expected + ", found " + m.version());
      }
      try (Statement s = c.createStatement()) {
        for (String sql : m.statements()) {
          s.execute(sql);
        }
        // PRAGMA takes no bind parameters; the version is an int, so formatting it is safe.
        s.execute("PRAGMA user_version = " + m.version());
      }
      expected++;
    }
  }
}
