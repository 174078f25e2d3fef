package dev.scpsync.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The uploads in flight to one target, at most one per path, kept so that a large upload cut off
 * by a crash or a dropped link resumes from its last confirmed chunk.
 *
 * <p>Thread-safe: calls are serialized with those of every other {@link TargetState} and journal
 * of the same {@link StateStore}. Each call is atomic and durable once it returns (see
 * {@link StateStore}). Database failures are thrown as {@link java.io.UncheckedIOException}s
 * naming the file.
 *
 * <p>Finishing a transfer is separate from {@link TargetState#record}: a crash between the two
 * leaves a journal row whose temporary file no longer exists, which the resume must (and can)
 * recognise by checking the remote.
 */
public final class TransferJournal {
  private static final String COLUMNS = "path, temp_name, source_size, mtime_sec, mtime_nsec, "
      + "sha256, chunk_size, chunks_confirmed, started_ms";

  private final Database db;
  private final long targetId;

  TransferJournal(Database db, long targetId) {
    this.db = db;
    this.targetId = targetId;
  }

  /** Records that an upload began, replacing any earlier transfer of the same path. */
  public void begin(Transfer t) {
    db.write("begin a transfer of " + t.path(), d -> {
      PreparedStatement ps = d.prepare("INSERT OR REPLACE INTO journal (target_id, " + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      ps.setLong(1, targetId);
      ps.setString(2, t.path());
      ps.setString(3, t.tempName());
      ps.setLong(4, t.sourceSize());
      ps.setLong(5, t.sourceMtime().getEpochSecond());
      ps.setInt(6, t.sourceMtime().getNano());
      ps.setString(7, t.sha256());
      ps.setLong(8, t.chunkSize());
      ps.setLong(9, t.chunksConfirmed());
      ps.setLong(10, t.started().toEpochMilli());
      ps.executeUpdate();
      return null;
    });
  }

  /**
   * Records that the remote confirmed the first {@code chunksConfirmed} chunks of the upload to
   * {@code path}; returns false when no transfer of that path is in the journal.
   */
  public boolean confirmChunks(String path, long chunksConfirmed) {
    return db.write("confirm chunks of " + path, d -> {
      PreparedStatement ps = d.prepare(
          "UPDATE journal SET chunks_confirmed = ? WHERE target_id = ? AND path = ?");
      ps.setLong(1, chunksConfirmed);
      ps.setLong(2, targetId);
      ps.setString(3, path);
      return ps.executeUpdate() > 0;
    });
  }

  /**
   * Like {@link #confirmChunks(String, long)}, also recording the SHA-256 of the confirmed prefix
   * (kept in {@link Transfer#sha256()}), so that a resume can tell whether the source's content
   * changed under an unchanged size and mtime.
   */
  public boolean confirmChunks(String path, long chunksConfirmed, String prefixSha256) {
    return db.write("confirm chunks of " + path, d -> {
      PreparedStatement ps = d.prepare(
          "UPDATE journal SET chunks_confirmed = ?, sha256 = ? WHERE target_id = ? AND path = ?");
      ps.setLong(1, chunksConfirmed);
      ps.setString(2, prefixSha256);
      ps.setLong(3, targetId);
      ps.setString(4, path);
      return ps.executeUpdate() > 0;
    });
  }

  /** The transfer in flight to {@code path}, if any. */
  public Optional<Transfer> find(String path) {
    return db.read("find the transfer of " + path, d -> {
      PreparedStatement ps = d.prepare(
          "SELECT " + COLUMNS + " FROM journal WHERE target_id = ? AND path = ?");
      ps.setLong(1, targetId);
      ps.setString(2, path);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(transfer(rs)) : Optional.empty();
      }
    });
  }

  /** Every transfer in flight to this target, by path. */
  public List<Transfer> inFlight() {
    return db.read("list transfers in flight", d -> {
      PreparedStatement ps = d.prepare(
          "SELECT " + COLUMNS + " FROM journal WHERE target_id = ? ORDER BY path");
      ps.setLong(1, targetId);
      List<Transfer> all = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          all.add(transfer(rs));
        }
      }
      return all;
    });
  }

  /** Forgets the transfer to {@code path}: it completed, or was abandoned. */
  public void finish(String path) {
    db.write("finish the transfer of " + path, d -> {
      PreparedStatement ps = d.prepare("DELETE FROM journal WHERE target_id = ? AND path = ?");
      ps.setLong(1, targetId);
      ps.setString(2, path);
      ps.executeUpdate();
      return null;
    });
  }

  private static Transfer transfer(ResultSet rs) throws SQLException {
    return new Transfer(
        rs.getString(1),
        rs.getString(2),
        rs.getLong(3),
        Instant.ofEpochSecond(rs.getLong(4), rs.getInt(5)),
        rs.getString(6),
        rs.getLong(7),
        rs.getLong(8),
        Instant.ofEpochMilli(rs.getLong(9)));
  }
}
