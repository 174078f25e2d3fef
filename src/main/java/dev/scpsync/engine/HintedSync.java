package dev.scpsync.engine;

import dev.scpsync.plan.IncrementalPlan;
import dev.scpsync.plan.IncrementalPlanner;
import dev.scpsync.plan.PlanOptions;
import dev.scpsync.plan.SafetyOptions;
import dev.scpsync.plan.SyncInputs;
import dev.scpsync.scan.LocalScanner;
import dev.scpsync.state.SyncedFile;
import dev.scpsync.state.TargetState;
import dev.scpsync.transport.Chunking;
import dev.scpsync.transport.Remote;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import dev.scpsync.tree.Snapshot;
import dev.scpsync.tree.TreePaths;
import dev.scpsync.watch.DirtyPath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Syncs the paths named by one batch of watcher hints, over a remote that is already open.
 *
 * <p>Hints are not trusted: each hinted path is looked at again (a subtree hint is rescanned with
 * {@link LocalScanner}'s rules and the same excludes), and the planner gets two small pictures of
 * exactly those paths: the local one and the synced one from the state, which stands in for the
 * remote (no listing; the state never runs ahead of the remote). Because both pictures cover the
 * same paths, nothing outside the batch can look deleted, and a directory moved locally, which the
 * watcher reports as two subtree hints, is found by file key and becomes one remote rename.
 *
 * <p>Stateless between batches: each batch reads what it needs from the {@link TargetState} and
 * flushes what the remote confirmed before it returns, so the next batch starts from the truth.
 */
final class HintedSync {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HintedSync.class);
  private final Path root;
  private final SyncOptions options;
  private final LocalScanner scanner;
  private final UnaryOperator<Snapshot> view;

  /** @param view the part of a scanned piece of the tree this target holds (its placement) */
  HintedSync(Path root, SyncOptions options, UnaryOperator<Snapshot> view) {
    this.root = root;
    this.options = options;
    this.scanner = new LocalScanner(options.excludes());
    this.view = view;
  }

  /**
   * Re-stats the hinted paths, plans and carries out what differs from the state.
   *
   * @return what was done, or null when the hinted paths already match the state
   * @throws IOException when the remote as a whole fails (the session dropped); per-path failures
   *     are in the result
   */
  SyncResult run(List<DirtyPath> hints, TargetState state, Remote remote, SyncListener listener) throws IOException {
    long start = System.nanoTime();
    Known known = new Known(state);
    Map<String, Entry> local = new TreeMap<>();
    Map<String, SyncedFile> synced = new TreeMap<>();
    List<Problem> scanProblems = new ArrayList<>();
    boolean wholeTree = false;
    for (DirtyPath hint : hints) {
      wholeTree |= hint.path().isEmpty();
      boolean subtree = hint.subtree() || hint.path().isEmpty();
      Snapshot scanned;
      if (subtree) {
        scanned = scanner.scan(root, hint.path(), true);
      } else {
        // One stat of the path tells whether it changed to or from a directory; only then is its
        // subtree walked, and otherwise that stat is the scan.
        Snapshot here = scanner.scan(root, hint.path(), false);
        subtree = typeChanged(hint.path(), here, known);
        scanned = subtree ? scanner.scan(root, hint.path(), true) : here;
      }
      Snapshot found = view.apply(scanned);
      found.entries().forEach(e -> local.put(e.path(), e));
      scanProblems.addAll(found.problems());
      if (subtree) {
        known.subtree(hint.path()).forEach(r -> synced.put(r.entry().path(), r));
      } else if (known.get(hint.path()) != null) {
        synced.put(hint.path(), known.get(hint.path()));
      }
      addMissingAncestors(hint.path(), known, local);
    }
    addMoveSources(known, local, synced);
    long restated = System.nanoTime();
    Snapshot localView = Snapshot.of(local.values(), scanProblems);
    Snapshot syncedView = Snapshot.of(synced.values().stream().map(SyncedFile::entry).toList());

    Map<String, String> syncedHashes = column(synced, SyncedFile::sha256);
    Map<String, String> syncedKeys = column(synced, SyncedFile::fileKey);
    SyncInputs inputs = new SyncInputs(localView, syncedView, null,
        LocalFacts.sha256(root, PushJob.hashCandidates(localView, syncedView, syncedHashes)), syncedHashes,
        LocalFacts.fileKeys(root, PushJob.newPaths(localView, syncedView)), syncedKeys);
    PlanOptions planOptions = new PlanOptions(options.delete(), remote.supportsSymlinks(),
        options.excludes()::excludesWithAncestors);
    IncrementalPlan plan = IncrementalPlanner.plan(inputs, planOptions, safetyFor(wholeTree));
    List<Problem> problems = new ArrayList<>(scanProblems);
    problems.addAll(plan.plan().skipped());
    if (plan.isEmpty()) {
      return problems.isEmpty() ? null : PushJob.result(plan, remote, false, null, problems, start);
    }
    listener.planned(plan.plan());
    long planned = System.nanoTime();
    long executed;
    // Large files go in journaled chunks here too, so an upload cut between reconciles resumes.
    Chunking chunking = PushJob.chunking(options, state);
    PlanExecutor executor;
    try (TargetStateRecorder recorder = new TargetStateRecorder(state, root)) {
      executor = new PlanExecutor(new RemoteDestination(remote, root, chunking, options.bwlimit()), listener, recorder);
      executor.execute(plan);
      executed = System.nanoTime();
      problems.addAll(executor.problems());
    }
    log.debug("batch of {} hints: re-stat and state lookups {} ms, hashing and plan {} ms, transfer {} ms,"
        + " state rows {} ms", hints.size(), ms(restated - start), ms(planned - restated), ms(executed - planned),
        ms(System.nanoTime() - executed));
    return PushJob.result(plan, remote, false, executor, problems, start);
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  /**
   * The delete limits were made for whole trees: against the few paths of one batch a single
   * deleted file is "100%" and an emptied directory looks like an empty source. So they guard only
   * whole-tree rescans (after an overflow), where an unmounted source really would look empty.
   */
  private SafetyOptions safetyFor(boolean wholeTree) {
    SafetyOptions s = options.safety();
    return wholeTree ? s : new SafetyOptions(s.onDrift(), -1, -1, true, s.conflictSuffix());
  }

  /**
   * A plain hint on a path whose type changed to or from a directory (a file replaced by a
   * directory, a directory deleted) needs its subtree on both sides, or the children would be
   * missed or orphaned.
   */
  private static boolean typeChanged(String path, Snapshot now, Known known) {
    SyncedFile was = known.get(path);
    Entry is = now.get(path);
    boolean wasDir = was != null && was.entry().isDirectory();
    boolean isDir = is != null && is.isDirectory();
    return wasDir != isDir;
  }

  /**
   * Parents the remote does not have yet (per the state) must be created before the hinted path:
   * normally their own subtree hint is in the same batch, but nothing relies on that.
   */
  private void addMissingAncestors(String path, Known known, Map<String, Entry> local) throws IOException {
    for (String p = TreePaths.parent(path); !p.isEmpty() && known.get(p) == null; p = TreePaths.parent(p)) {
      if (!local.containsKey(p)) {
        scanner.scan(root, p, false).entries().forEach(e -> local.put(e.path(), e));
      }
    }
  }

  /**
   * A move is reported as two hints, old place and new, and the watcher may deliver them in
   * different batches (a directory made and filled by a move is reported when its own quiet window
   * ends). So the batch that sees an entry appear looks up its file key in the state: a synced path
   * with that key is where it may have come from, and is added to the batch (both pictures, with
   * its subtree) so that the planner can turn the pair into a rename instead of sending it all
   * again. Only the top of each new subtree is looked up: what moved with it is covered by it.
   */
  private void addMoveSources(Known known, Map<String, Entry> local, Map<String, SyncedFile> synced)
      throws IOException {
    for (Entry l : List.copyOf(local.values())) {
      String parent = l.parent();
      if (known.get(l.path()) != null
          || (!parent.isEmpty() && local.containsKey(parent) && known.get(parent) == null)) {
        continue;
      }
      String key = LocalFacts.fileKey(root.resolve(l.path()));
      String from = key == null ? null : known.state.pathForFileKey(key).orElse(null);
      if (from == null || synced.containsKey(from) || TreePaths.isSameOrBelow(l.path(), from)
          || TreePaths.isSameOrBelow(from, l.path())) {
        continue;
      }
      view.apply(scanner.scan(root, from, true)).entries().forEach(e -> local.putIfAbsent(e.path(), e));
      known.subtree(from).forEach(r -> synced.put(r.entry().path(), r));
    }
  }

  private static Map<String, String> column(Map<String, SyncedFile> rows, Function<SyncedFile, String> column) {
    Map<String, String> out = new HashMap<>();
    rows.forEach((path, row) -> {
      String v = column.apply(row);
      if (v != null) {
        out.put(path, v);
      }
    });
    return out;
  }

  /**
   * What the state says of the paths one batch touches, read as needed (single rows and indexed
   * subtree ranges) and kept for the batch, so a batch costs what it touches, not the tree's size.
   */
  private static final class Known {
    final TargetState state;
    private final Map<String, Optional<SyncedFile>> rows = new HashMap<>();
    /** Subtrees read whole: a path below one of them that is not in {@link #rows} has no row. */
    private final Set<String> complete = new HashSet<>();

    Known(TargetState state) {
      this.state = state;
    }

    /** The row at {@code path}, or null; the root has none. */
    SyncedFile get(String path) {
      if (path.isEmpty()) {
        return null;
      }
      Optional<SyncedFile> row = rows.get(path);
      if (row == null) {
        row = inCompleteSubtree(path) ? Optional.empty() : state.get(path);
        rows.put(path, row);
      }
      return row.orElse(null);
    }

    /** The rows at and below {@code path} ({@code ""}: all). */
    List<SyncedFile> subtree(String path) {
      List<SyncedFile> found = state.subtree(path);
      found.forEach(r -> rows.put(r.entry().path(), Optional.of(r)));
      complete.add(path);
      return found;
    }

    private boolean inCompleteSubtree(String path) {
      if (complete.contains("")) {
        return true;
      }
      for (String p = path; !p.isEmpty(); p = TreePaths.parent(p)) {
        if (complete.contains(p)) {
          return true;
        }
      }
      return false;
    }
  }
}
