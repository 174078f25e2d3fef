package dev.scpsync.watch;

import dev.scpsync.tree.TreePaths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns per-path events into batches of {@link DirtyPath} hints.
 *
 * <ul>
 *   <li><b>Coalescing.</b> Any number of events for one path make one entry; a path is reported
 *       once no event touched it for the debounce window. Memory is one entry per distinct path
 *       changed recently, never per event; past {@code maxTrackedPaths} everything collapses into
 *       one rescan of the whole tree.
 *   <li><b>Settle.</b> A file is "hot" when its events kept coming for longer than settle, or when
 *       it changes again within settle of being reported. A hot file is reported only once it has
 *       had no event for settle and a look at its size and mtime then agrees with a look taken
 *       after its last event; a look that disagrees counts as a change (mmap writes and lost events
 *       raise none). A cold file is reported right after the debounce window: without
 *       close-after-write events (the JDK does not deliver inotify's IN_CLOSE_WRITE) a writer's
 *       first pause looks exactly like the end of a write, and delaying every file by settle would
 *       cost the latency the product is about.
 *   <li><b>Max hold.</b> A path is held back at most maxHold, so a log that is appended to forever
 *       is still reported that often.
 *   <li><b>Temp files.</b> At flush the path is looked at again. A path gone whose first event was
 *       a create lived and died inside the window (an editor's temp file renamed over its target)
 *       and is dropped; a path gone that existed before is reported (a deletion). The size that
 *       look saw goes out with the hint, so the engine can tell how many bytes wait for a target
 *       without a stat of its own.
 * </ul>
 *
 * <p>Deadlines live in one ordered set with at most one node per path. A new event only moves the
 * deadline later, so it leaves the node alone and the node is re-filed when it comes due: an event
 * costs one map lookup.
 *
 * <p>Not thread-safe: owned by the watcher thread (or a test).
 */
final class ChangeCoalescer {
  static final int DEFAULT_MAX_TRACKED_PATHS = 100_000;

  private static final Logger log = LoggerFactory.getLogger(ChangeCoalescer.class);
  private static final long NONE = PendingPath.NONE;

  private final Ticker ticker;
  private final FileStamp.Reader stamps;
  private final long debounce;
  private final long settle;
  private final long maxHold;
  private final int maxTrackedPaths;
  private final Map<String, PendingPath> paths = new HashMap<>();
  private final TreeSet<PendingPath> timers =
      new TreeSet<>(
          Comparator.<PendingPath>comparingLong(p -> p.timer).thenComparingLong(p -> p.sequence));
  private long sequence;

  ChangeCoalescer(
      Ticker ticker, FileStamp.Reader stamps, WatchOptions options, int maxTrackedPaths) {
    this.ticker = ticker;
    this.stamps = stamps;
    this.debounce = options.debounce().toNanos();
    this.settle = options.settle().toNanos();
    this.maxHold = options.maxHold().toNanos();
    this.maxTrackedPaths = maxTrackedPaths;
  }

  /** Records an event for one path; {@code created} when the event says it was just created. */
  void change(String path, boolean created) {
    record(path, created, false);
  }

  /** Records that {@code path} and everything below it need a rescan. */
  void rescan(String path, boolean created) {
    record(path, created, true);
  }

  /** The ticker time at which {@link #drain} may next have work, or Long.MAX_VALUE for never. */
  long nextDue() {
    return timers.isEmpty() ? Long.MAX_VALUE : timers.first().timer;
  }

  /** Paths tracked, pending or cooling; the memory bound. */
  int trackedPaths() {
    return paths.size();
  }

  /** Nodes in the timer set; never more than {@link #trackedPaths}. */
  int scheduledTimers() {
    return timers.size();
  }

  /**
   * The hints that are due now, sorted by path, without hints covered by a subtree hint of the same
   * batch; empty when nothing is due.
   */
  List<DirtyPath> drain() {
    long now = ticker.read();
    List<DirtyPath> out = new ArrayList<>();
    while (!timers.isEmpty() && timers.first().timer <= now) {
      PendingPath p = timers.pollFirst();
      p.timer = NONE;
      long due = due(p);
      if (due > now) {
        schedule(p, due);
      } else {
        fire(p, now, out);
      }
    }
    return withoutCovered(out);
  }

  private void record(String path, boolean created, boolean subtree) {
    long now = ticker.read();
    PendingPath p = paths.get(path);
    if (p == null) {
      if (paths.size() >= maxTrackedPaths) {
        collapse();
        path = "";
        created = false;
        subtree = true;
      }
      p = new PendingPath(path, sequence++);
      paths.put(path, p);
    }
    if (!p.pending) {
      p.begin(now, created);
    }
    p.subtree |= subtree;
    p.lastEvent = now;
    schedule(p, due(p));
  }

  /** Trades every tracked path for one rescan of the whole tree: cheaper than 100,000 hints. */
  private void collapse() {
    log.info(
        "more than {} paths changed at once; asking for a rescan of the whole tree instead",
        maxTrackedPaths);
    paths.clear();
    timers.clear();
  }

  private long due(PendingPath p) {
    if (!p.pending) {
      return p.reportedAt + settle;
    }
    long due = p.lastEvent + debounce;
    if (p.lastStamp != null && p.stampedAt > p.lastEvent) {
      due = Math.max(due, p.lastEvent + settle); // looked after the last write: wait out settle
    }
    return Math.min(due, p.firstEvent + maxHold);
  }

  private void schedule(PendingPath p, long due) {
    if (p.timer != NONE) {
      if (p.timer <= due) {
        return; // the node fires early and is re-filed then; cheaper than moving it per event
      }
      timers.remove(p);
    }
    p.timer = due;
    timers.add(p);
  }

  private void fire(PendingPath p, long now, List<DirtyPath> out) {
    if (!p.pending) {
      paths.remove(p.path); // cooled down
      return;
    }
    FileStamp stamp;
    try {
      stamp = stamps.read(p.path);
    } catch (IOException e) {
      report(p, now, out, DirtyPath.UNKNOWN); // the consumer meets the same error and reports it
      return;
    }
    if (stamp == null) {
      if (p.createdFirst) {
        paths.remove(p.path);
      } else {
        report(p, now, out, 0);
      }
      return;
    }
    long size = stamp.directory() ? 0 : stamp.size();
    if (p.subtree || stamp.directory() || now - p.firstEvent >= maxHold) {
      report(p, now, out, size);
      return;
    }
    if (settle > 0 && p.lastEvent - p.firstEvent >= settle) {
      p.hot = true;
    }
    if (!p.hot || settle == 0) {
      report(p, now, out, size);
    } else if (p.lastStamp == null || p.stampedAt <= p.lastEvent) {
      p.lastStamp = stamp; // the first look after the last event; the next one is settle later
      p.stampedAt = now;
      schedule(p, due(p));
    } else if (!stamp.equals(p.lastStamp)) {
      p.lastStamp = stamp; // changed without an event: treat the look as one
      p.lastEvent = now;
      p.stampedAt = now;
      schedule(p, due(p));
    } else {
      report(p, now, out, size); // due() made sure settle has passed since the last event
    }
  }

  /** Reports {@code p}: a subtree hint (its size unknown), or a path with what the last look saw. */
  private void report(PendingPath p, long now, List<DirtyPath> out, long size) {
    out.add(p.subtree ? DirtyPath.subtreeOf(p.path) : DirtyPath.of(p.path, size));
    p.reported(now);
    if (settle == 0) {
      paths.remove(p.path);
    } else {
      schedule(p, due(p));
    }
  }

  /** Sorts by path and drops every hint that a subtree hint of the same batch already covers. */
  static List<DirtyPath> withoutCovered(List<DirtyPath> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    Set<String> subtrees = new HashSet<>();
    for (DirtyPath d : batch) {
      if (d.subtree()) {
        subtrees.add(d.path());
      }
    }
    List<DirtyPath> kept = new ArrayList<>(batch.size());
    for (DirtyPath d : batch) {
      if (!hasSubtreeAncestor(d.path(), subtrees)) {
        kept.add(d);
      }
    }
    kept.sort(Comparator.comparing(DirtyPath::path));
    return List.copyOf(kept);
  }

  private static boolean hasSubtreeAncestor(String path, Set<String> subtrees) {
    if (path.isEmpty()) {
      return false;
    }
    for (String p = TreePaths.parent(path); ; p = TreePaths.parent(p)) {
      if (subtrees.contains(p)) {
        return true;
      }
      if (p.isEmpty()) {
        return false;
      }
    }
  }
}
