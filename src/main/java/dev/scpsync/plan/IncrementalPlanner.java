package dev.scpsync.plan;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import dev.scpsync.tree.Snapshot;
import dev.scpsync.tree.TreePaths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Plans a push with the sync state: finds paths moved locally (renamed remotely instead of sent
 * again), remote drift (entries someone else changed since scpsync last wrote them), and applies
 * the delete limits. Pure: values in, plan out.
 *
 * <p>Rename detection: a new local path is the vanished synced path with the same file key
 * (device and inode) and the same mtime (and size, for files: inodes are reused, a moved entry
 * keeps its mtime), or — for files — with the same size and SHA-256. The remote must still hold
 * the vanished path exactly as last synced, and nothing at the new path.
 *
 * <p>Drift: the state says what was last confirmed at a path; when the remote listing shows a
 * file or symlink there that differs (type, size, mtime in whole seconds, link target), someone
 * else changed it. A remote path the state never saw is not drift (first push, like rsync); a
 * remote path that vanished is not drift either (it is simply sent again).
 */
public final class IncrementalPlanner {
  private IncrementalPlanner() {}

  public static IncrementalPlan plan(SyncInputs in, PlanOptions options, SafetyOptions safety) {
    Snapshot remote = in.remote() != null ? in.remote() : in.synced();
    Map<String, String> syncedHashes = new HashMap<>(in.syncedHashes());

    List<Rename> renames = detectRenames(in, remote);
    Snapshot synced = in.synced();
    if (!renames.isEmpty()) {
      remote = rekey(remote, renames);
      synced = rekey(synced, renames);
      syncedHashes = rekeyMap(syncedHashes, renames);
    }

    Map<String, Entry> drifted = new LinkedHashMap<>();
    for (Entry r : remote.entries()) {
      Entry s = synced.get(r.path());
      if (s != null && !r.isDirectory() && !sameAsSynced(r, s)) {
        drifted.put(r.path(), r);
      }
    }

    final Snapshot syncedView = synced;
    final Map<String, String> hashes = syncedHashes;
    PlanOptions effective = options
        .withProtected(e -> options.protectedEntries().test(e)
            || (safety.onDrift() == DriftPolicy.SKIP && drifted.containsKey(e.path()) && drifted.get(e.path()).equals(e)))
        .withSameContent((src, dst) -> {
          Entry s = syncedView.get(dst.path());
          String localHash = in.localHashes().get(src.path());
          return s != null && sameAsSynced(dst, s) && localHash != null && localHash.equals(hashes.get(dst.path()));
        });
    Plan plan = Planner.plan(in.local(), remote, effective);

    List<Problem> drift = new ArrayList<>();
    List<Rename> backups = new ArrayList<>();
    Set<String> touched = touchedPaths(plan);
    for (Entry d : drifted.values()) {
      boolean wouldTouch = touched.contains(d.path()) || wouldReplace(in.local(), d) || ancestorDeleted(plan, d.path());
      if (!wouldTouch && safety.onDrift() != DriftPolicy.SKIP) {
        continue;
      }
      switch (safety.onDrift()) {
        case SKIP -> {
          if (wouldReplace(in.local(), d) || (options.delete() && !in.local().contains(d.path()))) {
            drift.add(new Problem(d.path(), "changed on the remote since the last sync; left alone (--on-drift skip)"));
          }
        }
        case OVERWRITE -> drift.add(new Problem(d.path(), "changed on the remote since the last sync; overwritten (--on-drift overwrite)"));
        case BACKUP -> {
          String aside = d.path() + safety.conflictSuffix();
          backups.add(new Rename(d.path(), aside));
          drift.add(new Problem(d.path(), "changed on the remote since the last sync; kept as " + aside));
        }
      }
    }
    if (!backups.isEmpty()) {
      Set<String> moved = new HashSet<>();
      backups.forEach(b -> moved.add(b.from()));
      plan = new Plan(without(plan.clear(), moved), plan.mkdirs(), plan.files(), plan.symlinks(), plan.attributes(),
          without(plan.deletes(), moved), plan.skipped());
    }

    long refused = 0;
    String reason = null;
    long deleting = countDeleted(plan.deletes(), remote);
    if (deleting > 0) {
      if (in.local().size() == 0 && !safety.allowEmptySource()) {
        refused = deleting;
        reason = "the source is empty (an unmounted drive?); deleting everything needs --allow-empty-source";
      } else if (safety.maxDelete() >= 0 && deleting > safety.maxDelete()) {
        refused = deleting;
        reason = "would delete " + deleting + " entries, more than --max-delete " + safety.maxDelete();
      } else if (safety.maxDeletePercent() >= 0 && remote.size() > 0
          && deleting * 100.0 / remote.size() > safety.maxDeletePercent()) {
        refused = deleting;
        reason = String.format("would delete %d of %d entries (%.1f%%), more than --max-delete %d%%",
            deleting, remote.size(), deleting * 100.0 / remote.size(), safety.maxDeletePercent());
      }
      if (reason != null) {
        plan = new Plan(plan.clear(), plan.mkdirs(), plan.files(), plan.symlinks(), plan.attributes(), List.of(), plan.skipped());
      }
    }
    return new IncrementalPlan(plan, backups, renames, drift, refused, reason);
  }

  /**
   * Whether a remote entry still is what was last synced (or matches a local entry): same type,
   * and for files the same size and mtime in whole seconds, for symlinks the same target.
   */
  public static boolean sameAsSynced(Entry remote, Entry synced) {
    if (remote.type() != synced.type()) {
      return false;
    }
    return switch (remote.type()) {
      case FILE -> remote.size() == synced.size() && remote.mtime().getEpochSecond() == synced.mtime().getEpochSecond();
      case SYMLINK -> Objects.equals(remote.linkTarget(), synced.linkTarget());
      case DIRECTORY -> true;
    };
  }

  private static boolean wouldReplace(Snapshot local, Entry remoteEntry) {
    Entry l = local.get(remoteEntry.path());
    return l != null && !(l.type() == remoteEntry.type() && sameAsSynced(remoteEntry, l));
  }

  private static List<Rename> detectRenames(SyncInputs in, Snapshot remote) {
    List<Rename> renames = new ArrayList<>();
    if (in.synced().size() == 0) {
      return renames;
    }
    Map<String, String> vanishedByKey = new HashMap<>();
    Map<Long, List<Entry>> vanishedFilesBySize = new HashMap<>();
    for (Entry s : in.synced().entries()) {
      if (in.local().contains(s.path())) {
        continue;
      }
      Entry r = remote.get(s.path());
      if (r == null || !sameAsSynced(r, s)) {
        continue; // the remote no longer holds it as synced: nothing to move
      }
      String key = in.syncedFileKeys().get(s.path());
      if (key != null) {
        vanishedByKey.put(key, s.path());
      }
      if (s.isFile() && in.syncedHashes().containsKey(s.path())) {
        vanishedFilesBySize.computeIfAbsent(s.size(), k -> new ArrayList<>()).add(s);
      }
    }
    if (vanishedByKey.isEmpty() && vanishedFilesBySize.isEmpty()) {
      return renames;
    }
    Set<String> usedSources = new HashSet<>();
    for (Entry l : in.local().entries()) {
      if (in.synced().contains(l.path()) || remote.contains(l.path()) || isBelowTarget(l.path(), renames)) {
        continue;
      }
      String from = null;
      String key = in.localFileKeys().get(l.path());
      if (key != null && vanishedByKey.containsKey(key)) {
        String candidate = vanishedByKey.get(key);
        Entry s = in.synced().get(candidate);
        // Inodes are reused: a moved entry also keeps its mtime (and a file its size); a new
        // entry that merely got a freed inode does not.
        if (s.type() == l.type() && s.mtime().equals(l.mtime()) && (!l.isFile() || s.size() == l.size())) {
          from = candidate;
        }
      }
      if (from == null && l.isFile()) {
        String hash = in.localHashes().get(l.path());
        for (Entry s : vanishedFilesBySize.getOrDefault(l.size(), List.of())) {
          if (hash != null && hash.equals(in.syncedHashes().get(s.path())) && !usedSources.contains(s.path())) {
            from = s.path();
            break;
          }
        }
      }
      if (from != null && !usedSources.contains(from) && !isBelowSource(from, renames)) {
        usedSources.add(from);
        renames.add(new Rename(from, l.path()));
      }
    }
    return renames;
  }

  private static boolean isBelowTarget(String path, List<Rename> renames) {
    for (Rename r : renames) {
      if (TreePaths.isSameOrBelow(path, r.to())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isBelowSource(String path, List<Rename> renames) {
    for (Rename r : renames) {
      if (TreePaths.isSameOrBelow(path, r.from())) {
        return true;
      }
    }
    return false;
  }

  /** The snapshot as it will look after the renames: every entry at or below a source moved. */
  static Snapshot rekey(Snapshot tree, List<Rename> renames) {
    List<Entry> moved = new ArrayList<>(tree.size());
    for (Entry e : tree.entries()) {
      String p = moveTo(e.path(), renames);
      moved.add(p.equals(e.path()) ? e : new Entry(p, e.type(), e.size(), e.mtime(), e.mode(), e.linkTarget()));
    }
    return Snapshot.of(moved, tree.problems());
  }

  private static Map<String, String> rekeyMap(Map<String, String> byPath, List<Rename> renames) {
    Map<String, String> out = new HashMap<>();
    byPath.forEach((p, v) -> out.put(moveTo(p, renames), v));
    return out;
  }

  static String moveTo(String path, List<Rename> renames) {
    for (Rename r : renames) {
      if (TreePaths.isSameOrBelow(path, r.from())) {
        return r.to() + path.substring(r.from().length());
      }
    }
    return path;
  }

  private static Set<String> touchedPaths(Plan plan) {
    Set<String> touched = new HashSet<>();
    plan.clear().forEach(e -> touched.add(e.path()));
    plan.files().forEach(e -> touched.add(e.path()));
    plan.symlinks().forEach(e -> touched.add(e.path()));
    plan.deletes().forEach(e -> touched.add(e.path()));
    return touched;
  }

  private static boolean ancestorDeleted(Plan plan, String path) {
    for (Entry d : plan.deletes()) {
      if (TreePaths.isSameOrBelow(path, d.path())) {
        return true;
      }
    }
    return false;
  }

  private static List<Entry> without(List<Entry> entries, Set<String> paths) {
    return entries.stream().filter(e -> !paths.contains(e.path())).toList();
  }

  /** Entries removed by deleting these (a directory counts with everything below it). */
  static long countDeleted(List<Entry> deletes, Snapshot remote) {
    long n = 0;
    for (Entry d : deletes) {
      n++;
      if (d.isDirectory()) {
        n += remote.asMap().subMap(d.path() + "/", d.path() + "0").size();
      }
    }
    return n;
  }
}
