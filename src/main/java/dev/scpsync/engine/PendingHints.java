package dev.scpsync.engine;

import dev.scpsync.tree.TreePaths;
import dev.scpsync.watch.DirtyPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
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
 * <p>Each entry keeps the size its latest hint carries (what the watcher saw at the path), and the
 * queue keeps their sum, so the bytes waiting cost nothing to ask for: no stat, no walk. A subtree
 * hint has no size (its content was never walked, and a moved directory needs no content sent at
 * all), so while one waits, and after the collapse into a whole-tree rescan, the bytes are not
 * known rather than guessed.
 *
 * <p>Thread-safe: the watcher's thread adds, the target's worker takes.
 */
final class PendingHints {
  private final int maxPaths;
  /** Path to its latest hint (a subtree hint wins); insertion order, so changes go out in order made. */
  private final Map<String, DirtyPath> paths = new LinkedHashMap<>();
  /** The sum of the known sizes in {@link #paths}. */
  private long knownBytes;
  /** Entries of {@link #paths} whose size is not known. */
  private int unsized;
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
    if (paths.containsKey("")) {
      return; // a whole-tree rescan is pending: it covers anything
    }
    if (paths.isEmpty() && !hints.isEmpty()) {
      oldestNanos = System.nanoTime();
    }
    for (DirtyPath d : hints) {
      put(combine(paths.get(d.path()), d));
    }
    if (paths.size() > maxPaths) {
      clear();
      put(DirtyPath.wholeTree());
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
    clear();
    return taken;
  }

  /** Drops everything pending: a full reconcile is about to look at the whole tree anyway. */
  synchronized void clear() {
    paths.clear();
    knownBytes = 0;
    unsized = 0;
  }

  /** System.nanoTime() when the oldest hint now waiting arrived, or empty when none is. */
  synchronized OptionalLong oldest() {
    return paths.isEmpty() ? OptionalLong.empty() : OptionalLong.of(oldestNanos);
  }

  /** System.nanoTime() when the oldest hint of the last non-empty {@link #take} arrived. */
  synchronized long takenOldest() {
    return takenOldestNanos;
  }

  /** How many distinct paths are waiting. */
  synchronized int size() {
    return paths.size();
  }

  /**
   * The bytes of file content of the paths waiting, as the watcher last saw them; empty when some
   * waiting hint has no size (a subtree, the whole tree, a path that could not be read).
   */
  synchronized OptionalLong bytes() {
    return unsized > 0 ? OptionalLong.empty() : OptionalLong.of(knownBytes);
  }

  /** Ends a waiting {@link #take} now, with whatever is pending (maybe nothing). */
  synchronized void wake() {
    woken = true;
    notifyAll();
  }

  private void put(DirtyPath hint) {
    DirtyPath before = paths.put(hint.path(), hint);
    if (before != null) {
      count(before, -1);
    }
    count(hint, 1);
  }

  private void count(DirtyPath hint, int sign) {
    if (hint.size() == DirtyPath.UNKNOWN) {
      unsized += sign;
    } else {
      knownBytes += sign * hint.size();
    }
  }

  /** Two hints for one path as one: a subtree if either was, else the later one (its size is newer). */
  private static DirtyPath combine(DirtyPath earlier, DirtyPath later) {
    if (earlier == null) {
      return later;
    }
    return earlier.subtree() && !later.subtree() ? DirtyPath.subtreeOf(later.path()) : later;
  }

  /** The bytes of a batch of hints, as {@link #bytes}: empty when one of them has no size. */
  static OptionalLong bytesOf(List<DirtyPath> hints) {
    long sum = 0;
    for (DirtyPath d : hints) {
      if (d.size() == DirtyPath.UNKNOWN) {
        return OptionalLong.empty();
      }
      sum += d.size();
    }
    return OptionalLong.of(sum);
  }

  /** Merges several taken lists into one, as if they had been pending together. */
  static List<DirtyPath> merge(List<List<DirtyPath>> batches) {
    Map<String, DirtyPath> byPath = new LinkedHashMap<>();
    for (List<DirtyPath> batch : batches) {
      for (DirtyPath d : batch) {
        byPath.merge(d.path(), d, PendingHints::combine);
      }
    }
    return merge(byPath);
  }

  /** Each path once, none that a subtree hint on one of its ancestors already covers. */
  private static List<DirtyPath> merge(Map<String, DirtyPath> byPath) {
    List<DirtyPath> merged = new ArrayList<>();
    byPath.forEach((path, hint) -> {
      if (!coveredByAncestor(path, byPath)) {
        merged.add(hint);
      }
    });
    return merged;
  }

  private static boolean coveredByAncestor(String path, Map<String, DirtyPath> byPath) {
    if (path.isEmpty()) {
      return false;
    }
    for (String p = TreePaths.parent(path); ; p = TreePaths.parent(p)) {
      DirtyPath hint = byPath.get(p);
      if (hint != null && hint.subtree()) {
        return true;
      }
      if (p.isEmpty()) {
        return false;
      }
    }
  }
}
