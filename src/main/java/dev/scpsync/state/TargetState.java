package dev.scpsync.state;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Snapshot;
import dev.scpsync.tree.TreePaths;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one target last confirmed holding: one row per path, with the content hash and local file
 * key known when it was synced. It may lag the truth but must never run ahead of it, so the
 * engine records a change only after the remote confirmed it.
 *
 * <p>Thread-safe: engine workers may call any method concurrently; calls are serialized with
 * those of every other target of the same {@link StateStore}. Every write method is atomic — one
 * transaction, all or nothing — and durable once it returns (see {@link StateStore} for the exact
 * guarantee). Database failures are thrown as {@link java.io.UncheckedIOException}s naming the
 * file; after one, the state is as it was before the call.
 */
public final class TargetState {
  private static final String UPSERT = "INSERT OR REPLACE INTO synced (target_id, "
      + Columns.ENTRY + ", sha256, file_key, block_hashes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String DELETE_BELOW =
      "DELETE FROM synced WHERE target_id = ? AND path > ? AND path < ?";
  private static final String DELETE_SUBTREE =
      "DELETE FROM synced WHERE target_id = ? AND " + Subtree.CONDITION;

  private final Database db;
  private final long id;
  private final String key;
  private final TransferJournal journal;

  TargetState(Database db, long id, String key) {
    this.db = db;
    this.id = id;
    this.key = key;
    this.journal = new TransferJournal(db, id);
  }

  /** The target's key, as given to {@link StateStore#target}. */
  public String key() {
    return key;
  }

  /** The uploads in flight to this target. */
  public TransferJournal journal() {
    return journal;
  }

  /** Every entry last confirmed on the target, read in one query. */
  public Snapshot synced() {
    return db.read("read the synced entries of " + key, d -> {
      PreparedStatement ps = d.prepare(
          "SELECT " + Columns.ENTRY + " FROM synced WHERE target_id = ?");
      ps.setLong(1, id);
      List<Entry> entries = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          entries.add(Columns.entry(rs));
        }
      }
      return Snapshot.of(entries);
    });
  }

  /** Everything the state holds for a target: its entries, and the hashes and file keys of those that have them. */
  public record Recorded(Snapshot synced, Map<String, String> hashes, Map<String, String> fileKeys) {}

  /**
   * The entries with their hashes and file keys, from one read of the rows ({@link #subtree} of the
   * whole tree): a push of a large tree needs all three, and each read of 100,000 rows costs
   * 100-200 ms.
   */
  public Recorded recorded() {
    List<Entry> entries = new ArrayList<>();
    Map<String, String> hashes = new HashMap<>();
    Map<String, String> fileKeys = new HashMap<>();
    for (SyncedFile row : subtree("")) {
      entries.add(row.entry());
      if (row.sha256() != null) {
        hashes.put(row.entry().path(), row.sha256());
      }
      if (row.fileKey() != null) {
        fileKeys.put(row.entry().path(), row.fileKey());
      }
    }
    return new Recorded(Snapshot.of(entries), hashes, fileKeys);
  }

  /** The row for {@code path}, if the target was last confirmed holding it. */
  public Optional<SyncedFile> get(String path) {
    return db.read("look up " + path + " of " + key, d -> {
      PreparedStatement ps = d.prepare("SELECT " + Columns.ENTRY
          + ", sha256, file_key FROM synced WHERE target_id = ? AND path = ?");
      ps.setLong(1, id);
      ps.setString(2, path);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new SyncedFile(Columns.entry(rs), rs.getString(8), rs.getString(9)));
      }
    });
  }

  /**
   * The rows for {@code path} and everything below it, in path order: one indexed range read, so
   * a watch batch costs what it touches rather than what the tree holds. {@code ""} is the whole
   * tree.
   */
  public List<SyncedFile> subtree(String path) {
    String sql = "SELECT " + Columns.ENTRY + ", sha256, file_key FROM synced WHERE target_id = ?"
        + (path.isEmpty() ? "" : " AND " + Subtree.CONDITION) + " ORDER BY path";
    return db.read("read " + (path.isEmpty() ? "the synced entries" : path) + " of " + key, d -> {
      PreparedStatement ps = d.prepare(sql);
      ps.setLong(1, id);
      if (!path.isEmpty()) {
        Subtree.bind(ps, 2, Subtree.checkPath(path));
      }
      List<SyncedFile> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new SyncedFile(Columns.entry(rs), rs.getString(8), rs.getString(9)));
        }
      }
      return rows;
    });
  }

  /** SHA-256 (hex) of every synced path that has one, by path. */
  public Map<String, String> hashes() {
    return recorded().hashes();
  }

  /** The local file key recorded with every synced path that has one, by path. */
  public Map<String, String> fileKeys() {
    return recorded().fileKeys();
  }

  /**
   * The one synced path recorded with {@code fileKey}. Empty when none is, and also when several
   * are (hard links share a key), because then the key says nothing about where a file came from.
   */
  public Optional<String> pathForFileKey(String fileKey) {
    return db.read("look up file key " + fileKey + " of " + key, d -> {
      PreparedStatement ps = d.prepare(
          "SELECT path FROM synced WHERE target_id = ? AND file_key = ? LIMIT 2");
      ps.setLong(1, id);
      ps.setString(2, fileKey);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        String path = rs.getString(1);
        return rs.next() ? Optional.<String>empty() : Optional.of(path);
      }
    });
  }

  /** The block hashes recorded for {@code path}, if any. */
  public Optional<byte[]> blockHashes(String path) {
    return db.read("read block hashes of " + path + " of " + key, d -> {
      PreparedStatement ps = d.prepare(
          "SELECT block_hashes FROM synced WHERE target_id = ? AND path = ?");
      ps.setLong(1, id);
      ps.setString(2, path);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.<byte[]>empty();
      }
    });
  }

  /**
   * Attaches block hashes to the row of {@code path}; returns false (and records nothing) when the
   * path is not in the state. {@link #record} replaces them with the confirmed entry's (none when
   * it has none), since they describe old content.
   */
  public boolean recordBlockHashes(String path, byte[] blockHashes) {
    return db.write("record block hashes of " + path + " of " + key, d -> {
      PreparedStatement ps = d.prepare(
          "UPDATE synced SET block_hashes = ? WHERE target_id = ? AND path = ?");
      ps.setBytes(1, blockHashes);
      ps.setLong(2, id);
      ps.setString(3, path);
      return ps.executeUpdate() > 0;
    });
  }

  /**
   * Records entries the target confirmed, replacing earlier rows of the same paths, in one
   * transaction. A file or symlink cannot have anything below it, so any rows below such a path
   * are removed too rather than left claiming files the target cannot hold.
   */
  public void record(List<Confirmed> confirmed) {
    if (confirmed.isEmpty()) {
      return;
    }
    db.write("record " + confirmed.size() + " confirmed entries of " + key, d -> {
      PreparedStatement put = d.prepare(UPSERT);
      PreparedStatement below = d.prepare(DELETE_BELOW);
      put.clearBatch();
      below.clearBatch();
      boolean anyLeaf = false;
      for (Confirmed c : confirmed) {
        Entry e = c.entry();
        put.setLong(1, id);
        put.setString(2, e.path());
        put.setString(3, Columns.type(e.type()));
        put.setLong(4, e.size());
        put.setLong(5, e.mtime().getEpochSecond());
        put.setInt(6, e.mtime().getNano());
        put.setInt(7, e.mode());
        put.setString(8, e.linkTarget());
        put.setString(9, c.sha256());
        put.setString(10, c.fileKey());
        put.setBytes(11, c.blockHashes());
        put.addBatch();
        if (!e.isDirectory()) {
          below.setLong(1, id);
          below.setString(2, e.path() + "/");
          below.setString(3, e.path() + "0");
          below.addBatch();
          anyLeaf = true;
        }
      }
      if (anyLeaf) {
        below.executeBatch();
      }
      put.executeBatch();
      return null;
    });
  }

  /** Records that each path, with everything below it, is gone from the target; one transaction. */
  public void recordDeleted(List<String> paths) {
    if (paths.isEmpty()) {
      return;
    }
    paths.forEach(Subtree::checkPath);
    db.write("record " + paths.size() + " deletions of " + key, d -> {
      PreparedStatement ps = d.prepare(DELETE_SUBTREE);
      ps.clearBatch();
      for (String p : paths) {
        ps.setLong(1, id);
        Subtree.bind(ps, 2, p);
        ps.addBatch();
      }
      ps.executeBatch();
      return null;
    });
  }

  /**
   * Records that {@code from}, with everything below it, now lives at {@code to}, in one
   * transaction. Whatever the state had at {@code to} is dropped: a rename replaces its
   * destination. Moving a path into its own subtree (or the reverse) is impossible on a file
   * system and is refused with an IllegalArgumentException.
   */
  public void recordRenamed(String from, String to) {
    Subtree.checkPath(from);
    Subtree.checkPath(to);
    if (from.equals(to)) {
      return;
    }
    if (TreePaths.isSameOrBelow(to, from) || TreePaths.isSameOrBelow(from, to)) {
      throw new IllegalArgumentException("cannot rename '" + from + "' to '" + to + "'");
    }
    db.write("record the rename of " + from + " to " + to + " of " + key, d -> {
      PreparedStatement clear = d.prepare(DELETE_SUBTREE);
      clear.clearBatch();
      clear.setLong(1, id);
      Subtree.bind(clear, 2, to);
      clear.executeUpdate();
      // substr() and length() count characters, not bytes, on both sides, so the suffix after
      // `from` is cut correctly whatever the characters.
      PreparedStatement move = d.prepare("UPDATE synced SET path = ? || substr(path, length(?) + 1)"
          + " WHERE target_id = ? AND " + Subtree.CONDITION);
      move.setString(1, to);
      move.setString(2, from);
      move.setLong(3, id);
      Subtree.bind(move, 4, from);
      move.executeUpdate();
      return null;
    });
  }

  /** Whether nothing was ever confirmed on this target (or all of it was deleted since). */
  public boolean isEmpty() {
    return db.read("check whether " + key + " is empty", d -> {
      PreparedStatement ps = d.prepare("SELECT 1 FROM synced WHERE target_id = ? LIMIT 1");
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return !rs.next();
      }
    });
  }

  /** How many paths the target was last confirmed holding. */
  public int size() {
    return db.read("count the entries of " + key, d -> {
      PreparedStatement ps = d.prepare("SELECT count(*) FROM synced WHERE target_id = ?");
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  @Override
  public String toString() {
    return "TargetState[" + key + " in " + db.file() + "]";
  }
}
