package dev.scpsync.engine;

import dev.scpsync.plan.IncrementalPlan;
import dev.scpsync.plan.IncrementalPlanner;
import dev.scpsync.plan.PlanOptions;
import dev.scpsync.plan.SyncInputs;
import dev.scpsync.scan.LocalScanner;
import dev.scpsync.state.StateStore;
import dev.scpsync.state.TargetState;
import dev.scpsync.transport.ChunkJournal;
import dev.scpsync.transport.Chunking;
import dev.scpsync.transport.DeltaBases;
import dev.scpsync.transport.Futures;
import dev.scpsync.transport.Remote;
import dev.scpsync.transport.RemoteListing;
import dev.scpsync.transport.RemoteOpener;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.TempNames;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import dev.scpsync.tree.Snapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-shot mirror of a local tree to a remote one: scan both sides, plan with the sync state,
 * carry the plan out, record what the remote confirmed. The contents of the source directory end
 * up in the target directory (like {@code rsync -a src/ dest}).
 *
 * <p>With a state directory, the state of this source and target says what scpsync last
 * confirmed there: remote drift is detected against it, moved paths become remote renames, and
 * {@code --trust-state} can skip the listing. The state is written only after the remote
 * confirmed each step, so a killed push leaves it behind the truth, never ahead of it; before
 * planning, rows the remote listing contradicts by absence are dropped.
 */
public final class PushJob {
  private static final Logger log = LoggerFactory.getLogger(PushJob.class);
  private final SshConnector connector;

  public PushJob(SshConnector connector) {
    this.connector = connector;
  }

  /**
   * Runs the push.
   *
   * @throws IOException when the source cannot be read, the target cannot be reached, or the
   *     remote root is not a directory; per-path failures are in the result instead
   */
  public SyncResult run(Path source, TargetSpec target, SyncOptions options, SyncListener listener) throws IOException {
    long start = System.nanoTime();
    Path root = source.toAbsolutePath().normalize();
    // Without --trust-state the remote is listed whatever the state says: connect and list it on
    // a thread of its own while the source is scanned (--trust-state may not connect at all).
    Ahead ahead = options.trustState() ? null : Ahead.start(() -> RemoteOpener.open(connector, target,
        options.protocol(), options.parallel()), start);
    try {
      Snapshot local = new LocalScanner(options.excludes()).scan(root);
      log.debug("scanned {} entries in {} ms", local.size(), (System.nanoTime() - start) / 1_000_000);
      try (StateStore store = options.stateDir() != null ? StateStore.open(options.stateDir(), root) : null) {
        if (options.trustState() && store != null && !options.dryRun()) {
          SyncResult unchanged = unchangedSinceLastSync(store, target, local, start);
          if (unchanged != null) {
            return unchanged;
          }
        }
        return run(root, local, store, target, options, listener, start, ahead);
      }
    } catch (IOException | RuntimeException e) {
      if (ahead != null) {
        ahead.abandon();
      }
      throw e;
    }
  }

  /** The session and the remote listing, made on a thread of their own while the source is scanned. */
  private static final class Ahead {
    private final java.util.concurrent.CompletableFuture<Opened> done = new java.util.concurrent.CompletableFuture<>();
    private boolean taken;

    /** An open remote and its listing, or why listing it failed (the remote is still open then). */
    private record Opened(Remote remote, RemoteListing listing, IOException listingFailed) {}

    static Ahead start(java.util.concurrent.Callable<Remote> open, long start) {
      Ahead ahead = new Ahead();
      Thread.ofVirtual().name("connect-ahead").start(() -> {
        Remote remote;
        try {
          remote = open.call();
        } catch (Throwable e) {
          ahead.done.completeExceptionally(e);
          return;
        }
        log.debug("connected after {} ms", (System.nanoTime() - start) / 1_000_000);
        try {
          ahead.done.complete(new Opened(remote, remote.list(), null));
        } catch (IOException e) {
          ahead.done.complete(new Opened(remote, null, e));
        } catch (Throwable e) {
          closeQuietly(remote);
          ahead.done.completeExceptionally(e);
        }
      });
      return ahead;
    }

    /** The opened remote, which the caller now owns and closes. */
    Opened await() throws IOException {
      taken = true;
      return Futures.await(done, "interrupted while connecting");
    }

    /** The push ended before taking the remote: whatever it opens is closed (once taken, the taker closes it). */
    void abandon() {
      if (!taken) {
        done.thenAccept(o -> closeQuietly(o.remote()));
      }
    }

    private static void closeQuietly(Remote remote) {
      try {
        remote.close();
      } catch (IOException | RuntimeException e) {
        log.debug("closing an unused session: {}", e.toString());
      }
    }
  }

  /**
   * --trust-state with a local tree exactly as last synced to this target: nothing to do, and
   * no need to even connect. The target's state is found by its key without the protocol and,
   * when the spec names no user, without the user; anything ambiguous means connecting after all.
   */
  private static SyncResult unchangedSinceLastSync(StateStore store, TargetSpec target, Snapshot local, long start) {
    String suffix = "@" + target.location();
    List<String> keys = store.targets().stream()
        .filter(k -> k.endsWith(suffix))
        .filter(k -> target.user() == null || k.contains("://" + target.user() + "@"))
        .toList();
    if (keys.size() != 1 || !sameAsSynced(local, store.target(keys.get(0)).synced())) {
      return null;
    }
    log.debug("--trust-state: {} unchanged since its last sync; not connecting", keys.get(0));
    var protocol = keys.get(0).startsWith("scp://") ? dev.scpsync.transport.Protocol.SCP : dev.scpsync.transport.Protocol.SFTP;
    var empty = new dev.scpsync.plan.Plan(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    return new SyncResult(empty, protocol, false, 0, 0, 0, 0, 0, 0, List.of(), Duration.ofNanos(System.nanoTime() - start));
  }

  private SyncResult run(Path root, Snapshot local, StateStore store, TargetSpec target, SyncOptions options,
      SyncListener listener, long start, Ahead ahead) throws IOException {
    Ahead.Opened opened = ahead != null ? ahead.await() : null;
    try (Remote remote = opened != null ? opened.remote()
        : RemoteOpener.open(connector, target, options.protocol(), options.parallel())) {
      if (opened == null) {
        log.debug("connected after {} ms", (System.nanoTime() - start) / 1_000_000);
      }
      listener.connected(remote.describe(), remote.protocol().name().toLowerCase());
      TargetState state = store != null ? store.target(remote.describe()) : null;
      if (opened != null && opened.listingFailed() != null) {
        throw opened.listingFailed();
      }
      return reconcile(root, local, state, remote, options, listener, start, opened != null ? opened.listing() : null);
    }
  }

  /**
   * The push itself over a remote that is already open: plan {@code local} against the state and
   * (unless trusting the state) the remote listing, carry the plan out, record what the remote
   * confirmed. The state is flushed when this returns. Used by {@link WatchJob} for its initial
   * and catch-up reconciles, so that they share the watch's one session.
   *
   * @param state the target's state, or null to push without state
   */
  static SyncResult reconcile(Path root, Snapshot local, TargetState state, Remote remote, SyncOptions options,
      SyncListener listener, long start) throws IOException {
    return reconcile(root, local, state, remote, options, listener, start, null);
  }

  /** @param listed the remote's listing when it was already made, else null */
  private static SyncResult reconcile(Path root, Snapshot local, TargetState state, Remote remote,
      SyncOptions options, SyncListener listener, long start, RemoteListing listed) throws IOException {
    TargetState.Recorded recorded = state != null ? state.recorded() : null;
    Snapshot synced = recorded != null ? recorded.synced() : Snapshot.empty();

    Snapshot remoteTree = null;
    List<Entry> leftovers = List.of();
    boolean rootExists = true;
    List<Problem> problems = new ArrayList<>(local.problems());
    if (!(options.trustState() && state != null && !state.isEmpty())) {
      RemoteListing listing = listed != null ? listed : remote.list();
      log.debug("listed {} remote entries after {} ms", listing.tree().size(), (System.nanoTime() - start) / 1_000_000);
      rootExists = listing.rootExists();
      remoteTree = withoutOurTempFiles(listing.tree());
      leftovers = ourTempFiles(listing.tree());
      problems.addAll(listing.tree().problems());
      if (state != null && !options.dryRun()) {
        synced = forgetWhatTheRemoteLacks(state, synced, remoteTree);
      }
    } else if (sameAsSynced(local, synced)) {
      log.debug("--trust-state: local tree unchanged since the last sync; nothing to do");
    }

    Map<String, String> syncedHashes = recorded != null ? recorded.hashes() : Map.of();
    Map<String, String> syncedKeys = recorded != null ? recorded.fileKeys() : Map.of();
    if (recorded != null && synced != recorded.synced()) {
      Snapshot kept = synced; // rows the listing contradicted are gone: so are their hashes and keys
      syncedHashes.keySet().removeIf(p -> !kept.contains(p));
      syncedKeys.keySet().removeIf(p -> !kept.contains(p));
    }
    SyncInputs inputs = new SyncInputs(local, synced, remoteTree,
        LocalFacts.sha256(root, hashCandidates(local, synced, syncedHashes)), syncedHashes,
        LocalFacts.fileKeys(root, newPaths(local, synced)), syncedKeys);
    PlanOptions planOptions = new PlanOptions(options.delete(), remote.supportsSymlinks(), options.excludes()::excludesWithAncestors);
    IncrementalPlan plan = IncrementalPlanner.plan(inputs, planOptions, options.safety());
    if (options.checksum() && remoteTree != null) {
      plan = withContentDifferences(plan, local, remoteTree, root, remote, listener);
    }
    listener.planned(plan.plan());
    problems.addAll(plan.plan().skipped());
    problems.forEach(listener::problem);
    if (options.dryRun()) {
      return result(plan, remote, true, null, problems, start);
    }
    if (!rootExists) {
      remote.createRoot();
    }
    try (TargetStateRecorder recorder = state != null ? new TargetStateRecorder(state, root) : null) {
      Chunking chunking = chunking(options, state);
      PlanExecutor executor = new PlanExecutor(new RemoteDestination(remote, root, chunking, options.bwlimit()), listener,
          recorder != null ? recorder : StateRecorder.NONE);
      List<dev.scpsync.state.Transfer> journaled = state != null ? state.journal().inFlight() : List.of();
      executor.execute(plan);
      leftovers = strays(leftovers, state, journaled, plan.plan());
      if (!leftovers.isEmpty()) {
        // Temp files of a killed run: never content, and nobody else writes our names.
        log.info("removing {} temp file(s) left by an interrupted run", leftovers.size());
        remote.delete(leftovers);
      }
      log.debug("plan carried out after {} ms", (System.nanoTime() - start) / 1_000_000);
      problems.addAll(executor.problems());
      if (recorder != null && remoteTree != null) {
        recorder.confirmed(alreadyInPlace(local, remoteTree, synced, plan));
      }
      return result(plan, remote, false, executor, problems, start);
    }
  }

  /**
   * --checksum: files of equal size that the plan leaves alone are compared by SHA-256 on both
   * sides; those that differ are sent after all.
   */
  private static IncrementalPlan withContentDifferences(IncrementalPlan plan, Snapshot local, Snapshot remoteTree, Path root,
      Remote remote, SyncListener listener) throws IOException {
    Set<String> planned = new HashSet<>();
    plan.plan().files().forEach(e -> planned.add(e.path()));
    plan.renames().forEach(r -> planned.add(r.to()));
    List<String> candidates = new ArrayList<>();
    for (Entry l : local.entries()) {
      Entry r = remoteTree.get(l.path());
      if (l.isFile() && r != null && r.isFile() && r.size() == l.size() && !planned.contains(l.path())) {
        candidates.add(l.path());
      }
    }
    if (candidates.isEmpty()) {
      return plan;
    }
    var remoteHashes = remote.sha256(candidates);
    if (remoteHashes.isEmpty()) {
      listener.notice("--checksum: " + remote.describe() + " cannot compute SHA-256 (no exec or no sha256sum); "
          + candidates.size() + " file(s) were compared by size and mtime only");
      return plan;
    }
    Map<String, String> localHashes = LocalFacts.sha256(root, candidates);
    List<Entry> send = new ArrayList<>(plan.plan().files());
    Set<String> resend = new HashSet<>();
    for (String p : candidates) {
      String l = localHashes.get(p);
      String r = remoteHashes.get().get(p);
      if (l != null && r != null && !l.equals(r)) {
        send.add(local.get(p));
        resend.add(p);
      }
    }
    log.debug("--checksum: {} candidates, {} differ", candidates.size(), resend.size());
    if (resend.isEmpty()) {
      return plan;
    }
    var p = plan.plan();
    var attributes = p.attributes().stream().filter(e -> !resend.contains(e.path())).toList();
    return new IncrementalPlan(new dev.scpsync.plan.Plan(p.clear(), p.mkdirs(), send, p.symlinks(), attributes, p.deletes(), p.skipped()),
        plan.backups(), plan.renames(), plan.drift(), plan.deletesRefused(), plan.refusalReason());
  }

  /**
   * How large files go to a target: chunked at the options' size, journaled in its state (so an
   * interrupted upload resumes) and sent as deltas against what its state recorded, unless the
   * options say not to; without a state, chunked and verified only.
   */
  static Chunking chunking(SyncOptions options, TargetState state) {
    if (state == null) {
      return new Chunking(options.chunkSize(), ChunkJournal.NONE);
    }
    return new Chunking(options.chunkSize(), new JournalOfTarget(state.journal()),
        options.delta() ? new DeltaBasesOfTarget(state) : DeltaBases.NONE);
  }

  static SyncResult result(IncrementalPlan plan, Remote remote, boolean dryRun, PlanExecutor executor,
      List<Problem> problems, long start) {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    List<String> moves = new ArrayList<>();
    plan.backups().forEach(b -> moves.add(b.from() + " -> " + b.to() + " (conflict backup)"));
    plan.renames().forEach(r -> moves.add(r.from() + " -> " + r.to()));
    if (executor == null) {
      return new SyncResult(plan.plan(), remote.protocol(), dryRun, 0, 0, 0, 0, 0, 0, problems, elapsed,
          0, plan.drift(), plan.deletesRefused(), plan.refusalReason(), moves, List.of(), 0, 0);
    }
    return new SyncResult(plan.plan(), remote.protocol(), dryRun, executor.files(), executor.bytes(), executor.directories(),
        executor.symlinks(), executor.attributes(), executor.deleted(), problems, elapsed,
        executor.renamed(), plan.drift(), plan.deletesRefused(), plan.refusalReason(), moves, executor.unverified(),
        executor.deltas(), executor.sent());
  }

  /**
   * Drops state rows for paths the remote does not have: the state must never claim more than
   * the remote holds. Rows that differ from the remote are kept: they are how drift is seen.
   */
  private static Snapshot forgetWhatTheRemoteLacks(TargetState state, Snapshot synced, Snapshot remote) {
    List<String> gone = new ArrayList<>();
    String goneAbove = null;
    for (Entry s : synced.entries()) {
      if (goneAbove != null && s.path().startsWith(goneAbove + "/")) {
        continue;
      }
      if (!remote.contains(s.path())) {
        gone.add(s.path());
        goneAbove = s.path();
      }
    }
    if (gone.isEmpty()) {
      return synced;
    }
    state.recordDeleted(gone);
    return state.synced();
  }

  /**
   * Entries that already match on both sides but that the state does not know (a first push onto
   * an existing copy): recording them lets drift and --trust-state work from now on.
   */
  private static List<Entry> alreadyInPlace(Snapshot local, Snapshot remote, Snapshot synced, IncrementalPlan plan) {
    Set<String> planned = new HashSet<>();
    plan.plan().files().forEach(e -> planned.add(e.path()));
    plan.plan().attributes().forEach(e -> planned.add(e.path()));
    plan.plan().mkdirs().forEach(e -> planned.add(e.path()));
    plan.plan().symlinks().forEach(e -> planned.add(e.path()));
    List<Entry> adopt = new ArrayList<>();
    for (Entry l : local.entries()) {
      Entry r = remote.get(l.path());
      if (r == null || synced.contains(l.path()) || planned.contains(l.path())) {
        continue;
      }
      if (IncrementalPlanner.sameAsSynced(r, l)) {
        adopt.add(l);
      }
    }
    return adopt;
  }

  /** Whether every local entry is exactly as last synced (and nothing synced is gone). */
  private static boolean sameAsSynced(Snapshot local, Snapshot synced) {
    if (local.size() != synced.size()) {
      return false;
    }
    for (Entry l : local.entries()) {
      Entry s = synced.get(l.path());
      if (s == null || s.type() != l.type() || !unchangedSinceSync(l, s)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether an entry is as it was synced, in everything a push would send or set: a file's size,
   * mtime and mode, a directory's mode and mtime, a symlink's target (the same length, hence the
   * same size, is not enough).
   */
  private static boolean unchangedSinceSync(Entry local, Entry synced) {
    return switch (local.type()) {
      case FILE -> synced.size() == local.size() && synced.mtime().equals(local.mtime()) && synced.mode() == local.mode();
      case DIRECTORY -> synced.mode() == local.mode() && synced.mtime().equals(local.mtime());
      case SYMLINK -> synced.linkTarget().equals(local.linkTarget());
    };
  }

  /** Files whose hash could decide something: same size but new mtime, or new paths of a vanished size. */
  static List<String> hashCandidates(Snapshot local, Snapshot synced, Map<String, String> syncedHashes) {
    List<String> candidates = new ArrayList<>();
    Set<Long> vanishedSizes = new HashSet<>();
    for (Entry s : synced.entries()) {
      if (s.isFile() && !local.contains(s.path()) && syncedHashes.containsKey(s.path())) {
        vanishedSizes.add(s.size());
      }
    }
    for (Entry l : local.entries()) {
      if (!l.isFile()) {
        continue;
      }
      Entry s = synced.get(l.path());
      if (s != null && s.isFile() && s.size() == l.size() && s.mtime().getEpochSecond() != l.mtime().getEpochSecond()
          && syncedHashes.containsKey(l.path())) {
        candidates.add(l.path());
      } else if (s == null && vanishedSizes.contains(l.size())) {
        candidates.add(l.path());
      }
    }
    return candidates;
  }

  static List<String> newPaths(Snapshot local, Snapshot synced) {
    if (synced.size() == 0) {
      return List.of();
    }
    List<String> paths = new ArrayList<>();
    for (Entry l : local.entries()) {
      if (!synced.contains(l.path())) {
        paths.add(l.path());
      }
    }
    return paths;
  }

  static List<Entry> ourTempFiles(Snapshot tree) {
    return tree.entries().stream().filter(PushJob::isOurs).toList();
  }

  /** Our temp files, and the staging directories of chunked SCP uploads. */
  private static boolean isOurs(Entry e) {
    return (e.isFile() && TempNames.isTemp(e.name())) || (e.isDirectory() && TempNames.isStaging(e.name()));
  }

  /**
   * Temp files and staging directories left by a killed run are neither content nor something to
   * delete mid-flight (nor is anything inside a staging directory).
   */
  static Snapshot withoutOurTempFiles(Snapshot tree) {
    List<Entry> kept = new ArrayList<>(tree.size());
    String stagingDir = null;
    for (Entry e : tree.entries()) {
      if (stagingDir != null && dev.scpsync.tree.TreePaths.isSameOrBelow(e.path(), stagingDir)) {
        continue;
      }
      if (e.isDirectory() && TempNames.isStaging(e.name())) {
        stagingDir = e.path();
        continue;
      }
      if (!isOurs(e)) {
        kept.add(e);
      }
    }
    return kept.size() == tree.size() ? tree : Snapshot.of(kept, tree.problems());
  }

  /**
   * Leftovers of ours except those of uploads that were journaled when this run began and that
   * this plan sent: such a part was resumed (and renamed into place), abandoned by the upload
   * itself, or is still resumable. Journal rows of paths this plan did not send (deleted or
   * excluded since) are forgotten, and their parts are among the strays.
   */
  static List<Entry> strays(List<Entry> leftovers, TargetState state, List<dev.scpsync.state.Transfer> journaled,
      dev.scpsync.plan.Plan plan) {
    if (state == null || journaled.isEmpty()) {
      return leftovers;
    }
    Set<String> sent = new HashSet<>();
    plan.files().forEach(e -> sent.add(e.path()));
    Set<String> claimed = new HashSet<>();
    for (var t : journaled) {
      if (!sent.contains(t.path())) {
        state.journal().finish(t.path());
        continue;
      }
      String temp = dev.scpsync.tree.TreePaths.join(dev.scpsync.tree.TreePaths.parent(t.path()), t.tempName());
      claimed.add(temp);
      claimed.add(TempNames.stagingFor(temp));
    }
    return leftovers.stream().filter(e -> !claimed.contains(e.path())).toList();
  }

}
