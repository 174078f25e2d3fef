package dev.scpsync.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.sqlite.SQLiteConfig;

/**
 * The sync state of one source tree: a SQLite database holding, per target, what was last
 * confirmed there ({@link TargetState}) and the uploads in flight ({@link TransferJournal}).
 *
 * <p>Each source tree has its own file, {@code <stateDir>/<first 16 hex digits of the SHA-256 of
 * the absolute, normalized source path>.db}; the source path itself is kept inside, in the
 * {@code meta} table, so a human can tell the files apart (and a file copied under another
 * tree's name is refused).
 *
 * <p>Durability: the database runs in WAL mode with {@code synchronous=NORMAL}. A write that has
 * returned survives the process being killed at any point. After a power loss or OS crash the
 * most recent writes may be lost, never half-applied and never corrupting the file: the state
 * then lags the truth, which the next run repairs, and never runs ahead of it. On a file system
 * without WAL support the store falls back to a rollback journal with {@code synchronous=FULL}.
 *
 * <p>Thread-safe: one connection serves all targets; calls from many threads are serialized.
 * Several processes may open the same file; a writer waits up to {@value #BUSY_TIMEOUT_MS} ms for
 * another to finish.
 */
public final class StateStore implements AutoCloseable {
  static final int BUSY_TIMEOUT_MS = 10_000;

  private final Database db;
  private final Map<String, TargetState> targets = new ConcurrentHashMap<>();

  private StateStore(Database db) {
    this.db = db;
  }

  /**
   * Where state lives by default: {@code $XDG_STATE_HOME/scpsync}, else
   * {@code ~/.local/state/scpsync}.
   */
  public static Path defaultStateDir() {
    return defaultStateDir(System::getenv, System.getProperty("user.home"));
  }

  static Path defaultStateDir(UnaryOperator<String> env, String userHome) {
    String xdg = env.apply("XDG_STATE_HOME");
    // The XDG spec says a relative value is invalid and must be ignored.
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "scpsync");
    }
    return Path.of(userHome, ".local", "state", "scpsync");
  }

  /** The database file that holds the state of {@code sourceRoot} under {@code stateDir}. */
  public static Path databaseFile(Path stateDir, Path sourceRoot) {
    return stateDir.resolve(sourceKey(sourceRoot) + ".db");
  }

  private static String sourceKey(Path sourceRoot) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(
          canonical(sourceRoot).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  private static String canonical(Path sourceRoot) {
    return sourceRoot.toAbsolutePath().normalize().toString();
  }

  /**
   * Opens (creating if needed) the state of {@code sourceRoot} in {@code stateDir}, creating the
   * directory owner-only (0700) if it does not exist, and bringing the schema up to date.
   *
   * @throws IOException if the directory or database cannot be created or read, if the file
   *     belongs to another source tree, or if a newer scpsync created it (it is then left
   *     untouched)
   */
  public static StateStore open(Path stateDir, Path sourceRoot) throws IOException {
    createOwnerOnly(stateDir);
    return open(databaseFile(stateDir, sourceRoot), canonical(sourceRoot), Schema.MIGRATIONS);
  }

  /** Opens {@code file} with the given migrations; tests pass their own. */
  static StateStore open(Path file, String sourcePath, List<Migration> migrations)
      throws IOException {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    Connection c;
    try {
      c = config.createConnection("jdbc:sqlite:" + file);
    } catch (SQLException e) {
      throw new IOException("cannot open state database " + file + ": " + e.getMessage(), e);
    }
    try {
      // Check the version before any pragma or migration writes to the file.
      Schema.refuseNewer(file, Schema.version(c), migrations);
      configure(c);
      prepare(c, file, sourcePath, migrations);
      return new StateStore(new Database(file, c));
    } catch (SQLException | IOException | RuntimeException e) {
      try {
        c.close();
      } catch (SQLException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot open state database " + file + ": " + e.getMessage(), e);
    }
  }

  private static void createOwnerOnly(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      Files.createDirectories(dir);
    }
  }

  private static void configure(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      String mode;
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
        mode = rs.next() ? rs.getString(1) : "";
      }
      // NORMAL is only crash-safe with WAL; a rollback journal needs FULL.
      s.execute("wal".equalsIgnoreCase(mode) ? "PRAGMA synchronous = NORMAL"
          : "PRAGMA synchronous = FULL");
      s.execute("PRAGMA foreign_keys = ON");
    }
  }

  /** Migrates and claims the file for {@code sourcePath}, in one transaction. */
  private static void prepare(Connection c, Path file, String sourcePath,
      List<Migration> migrations) throws SQLException, IOException {
    c.setAutoCommit(false);
    try {
      Schema.migrate(c, file, migrations);
      try (PreparedStatement put = c.prepareStatement(
          "INSERT OR IGNORE INTO meta (key, value) VALUES ('source_path', ?)")) {
        put.setString(1, sourcePath);
        put.executeUpdate();
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'source_path'")) {
        String owner = rs.next() ? rs.getString(1) : null;
        if (!sourcePath.equals(owner)) {
          throw new IOException(file + " holds the state of " + owner + ", not of " + sourcePath
              + "; refusing to use it");
        }
      }
      c.commit();
    } catch (SQLException | IOException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** The database file. */
  public Path file() {
    return db.file();
  }

  /**
   * The state of the target with {@code key} (such as {@code sftp://user@host:22/srv/www}),
   * created empty the first time. Returns the same instance for the same key.
   */
  public TargetState target(String key) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("a target key must not be blank");
    }
    return targets.computeIfAbsent(key, k -> db.write("register target " + k, d -> {
      PreparedStatement add = d.prepare("INSERT OR IGNORE INTO target (key) VALUES (?)");
      add.setString(1, k);
      add.executeUpdate();
      PreparedStatement find = d.prepare("SELECT id FROM target WHERE key = ?");
      find.setString(1, k);
      try (ResultSet rs = find.executeQuery()) {
        rs.next();
        return new TargetState(db, rs.getLong(1), k);
      }
    }));
  }

  /** The keys of every target this source was ever synced to, sorted. */
  public List<String> targets() {
    return db.read("list targets", d -> {
      PreparedStatement ps = d.prepare("SELECT key FROM target ORDER BY key");
      List<String> keys = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
      return keys;
    });
  }

  /**
   * Closes the database once any call in progress has finished. Later calls on this store or its
   * targets throw IllegalStateException. Closing twice does nothing.
   */
  @Override
  public void close() throws IOException {
    db.close();
  }

  @Override
  public String toString() {
    return "StateStore[" + db.file() + "]";
  }
}
