package dev.scpsync.engine;

import dev.scpsync.tree.TreePaths;
import dev.scpsync.watch.DirtyPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The changes waiting for one target, coalesced by path: a path hinted a million times while its
 * target is away is one entry, so memory follows the number of distinct paths, not of changes. Past
 * {@code maxPaths} distinct paths everything collapses into one rescan of the whole tree, which
 * needs no memory and finds the same changes.
 *
 * <p>Nothing here needs to survive a restart: what is pending for a target is exactly where the
 * local tree differs from what the state says the target holds, and the reconcile that starts
 * every watch computes that difference again from the tree and the state.
 *
 * <p>Thread-safe: the watcher's thread adds, the target's worker takes.
 */
final class PendingHints {
  private final int maxPaths;
  /** Path to "its subtree too"; insertion order, so changes go out roughly in the order made. */
  private final Map<String, Boolean> paths = new LinkedHashMap<>();
  private boolean woken;
  /** System.nanoTime() of the oldest hint waiting; meaningless while nothing is. */
  private long oldestNanos;
  /** {@link #oldestNanos} of what the last non-empty {@link #take} returned. */
  private long takenOldestNanos;

  PendingHints(int maxPaths) {
    if (maxPaths < 1) {
      throw new IllegalArgumentException("maxPaths must be positive: " + maxPaths);
    }
    this.maxPaths = maxPaths;
  }

  /** Adds one batch of hints. */
  synchronized void add(List<DirtyPath> hints) {
    if (paths.containsKey("") && paths.get("")) {
      return; // a whole-tree rescan is pending: it covers anything
    }
    if (paths.isEmpty() && !hints.isEmpty()) {
      oldestNanos = System.nanoTime();
    }
    for (DirtyPath d : hints) {
      paths.merge(d.path(), d.subtree(), Boolean::logicalOr);
    }
    if (paths.size() > maxPaths) {
      paths.clear();
      paths.put("", true);
    }
    if (!paths.isEmpty()) {
      notifyAll();
    }
  }

  /**
   * Takes everything pending, waiting up to {@code timeout} for something to arrive. Empty when
   * nothing came in time or {@link #wake} was called.
   */
  synchronized List<DirtyPath> take(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (paths.isEmpty() && !woken) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return List.of();
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    woken = false;
    if (!paths.isEmpty()) {
      takenOldestNanos = oldestNanos;
    }
    List<DirtyPath> taken = merge(paths);
    paths.clear();
    return taken;
  }

  /** Drops everything pending: a full reconcile is about to look at the whole tree anyway. */
  synchronized void clear() {
    paths.clear();
  }

  /** System.nanoTime() when the oldest hint now waiting arrived, or empty when none is. */
  synchronized java.util.OptionalLong oldest() {
    return paths.isEmpty() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(oldestNanos);
  }

  /** System.nanoTime() when the oldest hint of the last non-empty {@link #take} arrived. */
  synchronized long takenOldest() {
    return takenOldestNanos;
  }

  /** How many distinct paths are waiting. */
  synchronized int size() {
    return paths.size();
  }

  /** Ends a waiting {@link #take} now, with whatever is pending (maybe nothing). */
  synchronized void wake() {
    woken = true;
    notifyAll();
  }

  /** Merges several taken lists into one, as if they had been pending together. */
  static List<DirtyPath> merge(List<List<DirtyPath>> batches) {
    Map<String, Boolean> byPath = new LinkedHashMap<>();
    for (List<DirtyPath> batch : batches) {
      for (DirtyPath d : batch) {
        byPath.merge(d.path(), d.subtree(), Boolean::logicalOr);
      }
    }
    return merge(byPath);
  }

  /** Each path once, none that a subtree hint on one of its ancestors already covers. */
  private static List<DirtyPath> merge(Map<String, Boolean> byPath) {
    List<DirtyPath> merged = new ArrayList<>();
    byPath.forEach((path, subtree) -> {
      if (!coveredByAncestor(path, byPath)) {
        merged.add(new DirtyPath(path, subtree));
      }
    });
    return merged;
  }

  private static boolean coveredByAncestor(String path, Map<String, Boolean> byPath) {
    if (path.isEmpty()) {
      return false;
    }
    for (String p = TreePaths.parent(path); ; p = TreePaths.parent(p)) {
      if (Boolean.TRUE.equals(byPath.get(p))) {
        return true;
      }
      if (p.isEmpty()) {
        return false;
      }
    }
  }
}
