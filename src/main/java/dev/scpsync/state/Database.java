package dev.scpsync.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SQLite connection shared by every {@link TargetState} of a store, used by one thread at a
 * time. A JDBC connection to SQLite is not safe for concurrent use, and SQLite allows one writer
 * anyway, so serializing here costs little and keeps each transaction whole.
 *
 * <p>Errors become {@link UncheckedIOException}s naming the database file and what was being done:
 * callers (engine workers) cannot do anything per-statement about a failing state database, and a
 * checked exception on every lookup would only be rethrown.
 */
final class Database implements AutoCloseable {
  /** A unit of work against the connection. */
  interface Work<T> {
    T run(Database db) throws SQLException;
  }

  private final Path file;
  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private boolean closed;

  Database(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  Path file() {
    return file;
  }

  /**
   * A prepared statement for {@code sql}, reused across calls. Only valid while the lock is held
   * (inside {@link #read} or {@link #write}).
   */
  PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  /** Runs {@code work} outside a transaction: each statement sees its own consistent snapshot. */
  <T> T read(String what, Work<T> work) {
    lock.lock();
    try {
      ensureOpen();
      return work.run(this);
    } catch (SQLException e) {
      throw failure(what, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code work} in one transaction that is committed when it returns and rolled back when it
   * throws: all or nothing. The connection begins transactions IMMEDIATE, so another process that
   * writes the same file makes us wait (busy timeout) at the start instead of failing midway.
   */
  <T> T write(String what, Work<T> work) {
    lock.lock();
    try {
      ensureOpen();
      connection.setAutoCommit(false);
      try {
        T result = work.run(this);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          connection.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(what, e);
    } finally {
      lock.unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("state store " + file + " is closed");
    }
  }

  private UncheckedIOException failure(String what, SQLException e) {
    return new UncheckedIOException(new IOException(
        "cannot " + what + " in state database " + file + ": " + e.getMessage(), e));
  }

  /** Closes the connection after any call in progress; later calls throw IllegalStateException. */
  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      // Closing the connection also finalizes its statements; closing them first only frees
      // them sooner.
      try (connection) {
        for (PreparedStatement ps : statements.values()) {
          ps.close();
        }
      } finally {
        statements.clear();
      }
    } catch (SQLException e) {
      throw new IOException("cannot close state database " + file + ": " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }
}
