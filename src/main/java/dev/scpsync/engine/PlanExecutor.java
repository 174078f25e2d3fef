package dev.scpsync.engine;

import dev.scpsync.plan.IncrementalPlan;
import dev.scpsync.plan.Plan;
import dev.scpsync.plan.Rename;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.TreePaths;
import java.util.HashSet;
import java.util.Set;
import dev.scpsync.transport.FileDigest;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.TransferListener;
import dev.scpsync.tree.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Carries out a {@link Plan} on a {@link Destination} in the plan's order, counting results. */
final class PlanExecutor {
  private final Destination destination;
  private final SyncListener listener;
  private final List<Problem> problems = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger files = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicInteger deltas = new AtomicInteger();
  private final java.util.Map<String, FileDigest> digests = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<String> unverified = Collections.synchronizedList(new ArrayList<>());
  private int directories;  // counted across both mkdir steps
  private int symlinks;
  private int attributes;
  private int deleted;

  private final StateRecorder state;
  private int renamed;

  PlanExecutor(Destination destination, SyncListener listener) {
    this(destination, listener, StateRecorder.NONE);
  }

  PlanExecutor(Destination destination, SyncListener listener, StateRecorder state) {
    this.destination = destination;
    this.listener = listener;
    this.state = state;
  }

  void execute(Plan plan) throws IOException {
    execute(new IncrementalPlan(plan, List.of(), List.of(), List.of(), 0, null));
  }

  /**
   * Carries out an incremental plan: backups, clears, directories outside renamed ones, renames,
   * the remaining directories, files, symlinks, attributes, deletes. Each step's successes are
   * handed to the {@link StateRecorder} only after the destination confirmed them.
   */
  void execute(IncrementalPlan incremental) throws IOException {
    Plan plan = incremental.plan();
    if (!incremental.backups().isEmpty()) {
      List<Problem> backupProblems = destination.rename(moves(incremental.backups()));
      record(backupProblems);
      state.removed(succeeded(incremental.backups().stream().map(Rename::from).toList(), backupProblems));
      renamedAll(incremental.backups(), backupProblems);
    }
    List<Problem> clearProblems = destination.delete(plan.clear());
    record(clearProblems);
    List<String> cleared = succeeded(paths(plan.clear()), clearProblems);
    state.removed(cleared);
    cleared.forEach(listener::deleted);
    deleted += plan.clear().size() - clearProblems.size();

    List<Entry> mkdirsBefore = new ArrayList<>();
    List<Entry> mkdirsAfter = new ArrayList<>();
    for (Entry d : plan.mkdirs()) {
      boolean belowRename = incremental.renames().stream().anyMatch(r -> TreePaths.isSameOrBelow(d.path(), r.to()));
      (belowRename ? mkdirsAfter : mkdirsBefore).add(d);
    }
    makeDirectories(mkdirsBefore);
    if (!incremental.renames().isEmpty()) {
      List<Problem> renameProblems = destination.rename(moves(incremental.renames()));
      record(renameProblems);
      Set<String> failed = new HashSet<>();
      renameProblems.forEach(p -> failed.add(p.path()));
      for (Rename r : incremental.renames()) {
        if (!failed.contains(r.from())) {
          state.renamed(r.from(), r.to());
          listener.renamed(r.from(), r.to());
          renamed++;
        }
      }
    }
    makeDirectories(mkdirsAfter);
    destination.transfer(plan.files(), new TransferListener() {
      @Override
      public void bytes(long count) {
        sent.addAndGet(count);
        listener.bytes(count);
      }

      @Override
      public void unverified(FileTransfer file) {
        unverified.add(file.entry().path());
        listener.unverified(file);
      }

      @Override
      public void digested(FileTransfer file, FileDigest digest) {
        digests.put(file.entry().path(), digest);
      }

      @Override
      public void delta(FileTransfer file, long sent) {
        deltas.incrementAndGet();
        listener.delta(file, sent);
      }

      @Override
      public void done(FileTransfer file) {
        files.incrementAndGet();
        bytes.addAndGet(file.entry().size());
        FileDigest digest = digests.remove(file.entry().path());
        if (digest != null) {
          state.confirmed(file.entry(), digest);
        } else {
          state.confirmed(List.of(file.entry()));
        }
        listener.done(file);
      }

      @Override
      public void resumed(FileTransfer file, long already) {
        listener.resumed(file, already);
      }

      @Override
      public void failed(FileTransfer file, Exception cause) {
        Problem p = new Problem(file.entry().path(), describe(cause));
        problems.add(p);
        listener.problem(p);
        listener.failed(file, cause);
      }
    });
    List<Problem> linkProblems = destination.symlinks(plan.symlinks());
    record(linkProblems);
    state.confirmed(succeededEntries(plan.symlinks(), linkProblems));
    symlinks = plan.symlinks().size() - linkProblems.size();
    List<Problem> attrProblems = destination.setAttributes(plan.attributes());
    record(attrProblems);
    state.confirmed(succeededEntries(plan.attributes(), attrProblems));
    attributes = plan.attributes().size() - attrProblems.size();
    List<Problem> deleteProblems = destination.delete(plan.deletes());
    record(deleteProblems);
    List<String> removed = succeeded(paths(plan.deletes()), deleteProblems);
    state.removed(removed);
    removed.forEach(listener::deleted);
    deleted += plan.deletes().size() - deleteProblems.size();
  }

  private void renamedAll(List<Rename> renames, List<Problem> problems) {
    Set<String> failed = new HashSet<>();
    problems.forEach(p -> failed.add(p.path()));
    renames.stream().filter(r -> !failed.contains(r.from())).forEach(r -> listener.renamed(r.from(), r.to()));
  }

  private void makeDirectories(List<Entry> dirs) throws IOException {
    List<Problem> mkdirProblems = destination.mkdirs(dirs);
    record(mkdirProblems);
    state.confirmed(succeededEntries(dirs, mkdirProblems));
    directories += dirs.size() - mkdirProblems.size();
  }

  private static java.util.SequencedMap<String, String> moves(List<Rename> renames) {
    java.util.SequencedMap<String, String> map = new java.util.LinkedHashMap<>();
    renames.forEach(r -> map.put(r.from(), r.to()));
    return map;
  }

  private static List<String> paths(List<Entry> entries) {
    return entries.stream().map(Entry::path).toList();
  }

  private static List<String> succeeded(List<String> paths, List<Problem> problems) {
    if (problems.isEmpty()) {
      return paths;
    }
    Set<String> failed = new HashSet<>();
    problems.forEach(p -> failed.add(p.path()));
    return paths.stream().filter(p -> !failed.contains(p)).toList();
  }

  private static List<Entry> succeededEntries(List<Entry> entries, List<Problem> problems) {
    if (problems.isEmpty()) {
      return entries;
    }
    Set<String> failed = new HashSet<>();
    problems.forEach(p -> failed.add(p.path()));
    return entries.stream().filter(e -> !failed.contains(e.path())).toList();
  }

  int renamed() {
    return renamed;
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    if (e instanceof java.nio.file.NoSuchFileException nsf && nsf.getReason() != null) {
      return nsf.getReason();
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private void record(List<Problem> list) {
    for (Problem p : list) {
      problems.add(p);
      listener.problem(p);
    }
  }

  /** Large files placed without an end-to-end check: the remote could not hash them. */
  List<String> unverified() {
    return List.copyOf(unverified);
  }

  List<Problem> problems() {
    return problems;
  }

  int files() {
    return files.get();
  }

  long bytes() {
    return bytes.get();
  }

  /** Bytes of file content that crossed the link: less than {@link #bytes()} after deltas and resumes. */
  long sent() {
    return sent.get();
  }

  /** Files that went as a delta against the version the destination had. */
  int deltas() {
    return deltas.get();
  }

  int directories() {
    return directories;
  }

  int symlinks() {
    return symlinks;
  }

  int attributes() {
    return attributes;
  }

  int deleted() {
    return deleted;
  }
}
