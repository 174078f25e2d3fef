package dev.scpsync.engine;

import dev.scpsync.plan.Plan;
import dev.scpsync.state.TargetState;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.Remote;
import dev.scpsync.transport.RemoteOpener;
import dev.scpsync.transport.Protocol;
import dev.scpsync.transport.ssh.SshConnectException;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.tree.Snapshot;
import dev.scpsync.watch.DirtyPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One target of a watch: its own queue of pending hints, its own SSH session, its own thread,
 * backoff and health. Targets share only the watcher and the state database, so a slow or
 * unreachable target never holds up another: the watcher hands every target the same hints and
 * returns at once.
 *
 * <ol>
 *   <li>The initial reconcile is {@link PushJob}'s, over the already open session.
 *   <li>Then each time hints are pending, all of them are taken as one batch and handed to {@link
 *       HintedSync}, which re-stats the paths and plans against the state alone.
 *   <li>A batch that fails as a whole (the session dropped) sends the pipeline {@link
 *       TargetStatus.Health#OFFLINE}: it reconnects with {@link Backoff} (exponential, jittered),
 *       then runs a full reconcile, which covers every hint that arrived meanwhile.
 *   <li>A failure that retrying cannot fix (the host key changed, the key was refused) ends the
 *       pipeline as {@link TargetStatus.Health#FAILED}, reported once, instead of knocking forever.
 * </ol>
 */
final class TargetPipeline {
  private static final Logger log = LoggerFactory.getLogger(TargetPipeline.class);
  /** How often the loop looks at the stop flag and the verify clock while no changes come. */
  private static final long IDLE_POLL_MS = 100;
  /** At most this many extra waits for the rest of a directory move; see {@link #nextBatch}. */
  private static final int MAX_GATHER_ROUNDS = 4;
  /** How many hints of a batch are stat'ed to see whether one vanished (a move's first half). */
  private static final int MAX_VANISHED_CHECKS = 256;

  private final WatchTarget target;
  private volatile Placement placement;
  /** Set by {@link #replan}: the next loop turn runs a full reconcile. */
  private volatile boolean reconcileRequested;
  /** The target's state, known once a session told which protocol (and so which key) it uses. */
  private volatile TargetState state;
  private Function<Remote, TargetState> states;
  private volatile boolean endedInSync;
  private final SshConnector connector;
  private final SyncOptions options;
  private final Path root;
  private final Backoff backoff;
  private ReconnectWait reconnectWait;
  private final WatchJob.Reporter reporter;
  private final Duration gather;
  private final Duration verifyEvery;
  private final Clock clock;
  private final PendingHints pending;
  /** The target's after-sync command, or null. */
  private final AfterSyncHook afterSync;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** What the batch in progress (or the last one, if it failed) has yet to send. */
  private final UnsentBytes unsent = new UnsentBytes();
  private final AtomicLong files = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong deletes = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final SyncListener events = new Events();
  /** System.nanoTime() of the oldest hint of the batch in progress; 0 when none is. */
  private volatile long batchOldest;

  private volatile boolean stopping;
  private volatile TargetStatus.Health health = TargetStatus.Health.CONNECTING;
  private volatile Instant lastSync;
  private volatile Instant lastConverged;
  private volatile String lastError;
  private volatile IOException failure;
  private final String name;
  /** The source's scans, shared with the other targets that reconcile at the same time. */
  private final SharedScan scans;

  TargetPipeline(WatchTarget target, Placement placement, SshConnector connector, SyncOptions options, Path root,
      Backoff backoff, WatchJob.Reporter reporter, Duration gather, Duration verifyEvery, Clock clock, int maxPending,
      AfterSyncHook afterSync, SharedScan scans) {
    this.afterSync = afterSync;
    this.scans = scans;
    this.target = target;
    this.placement = placement;
    this.connector = connector;
    SyncOptions own = target.protocol() == Protocol.AUTO ? options : options.withProtocol(target.protocol());
    this.options = target.parallel() == 0 ? own : own.withParallel(target.parallel());
    this.root = root;
    this.backoff = backoff;
    this.reporter = reporter;
    this.gather = gather;
    this.verifyEvery = verifyEvery;
    this.clock = clock;
    this.pending = new PendingHints(maxPending);
    this.name = target.name();
  }

  WatchTarget target() {
    return target;
  }

  String name() {
    return name;
  }

  boolean online() {
    return health != TargetStatus.Health.OFFLINE && health != TargetStatus.Health.FAILED;
  }

  /** Called from the watcher's thread: queue and return, never block. */
  void offer(List<DirtyPath> hints) {
    pending.add(hints);
  }

  /** Opens the first session; a failure here ends the whole watch before it starts. */
  Remote connect() throws IOException {
    return RemoteOpener.open(connector, target.spec(), options.protocol(), options.parallel());
  }

  /**
   * Switches to another placement (the target set changed): the next loop turn reconciles the
   * whole tree under it, which sends what is new here and, with delete on, removes what no longer
   * belongs. Safe from any thread.
   */
  void replan(Placement next) {
    placement = next;
    reconcileRequested = true;
    pending.wake();
  }

  /** Asks the pipeline to end after the batch in progress. Safe from any thread. */
  void stop() {
    stopping = true;
    pending.wake();
  }

  /** Sets the state before {@link #run} (the remote is known already). */
  void useState(TargetState known) {
    state = known;
  }

  /** The target's state, or null while it has never been reached. */
  TargetState state() {
    return state;
  }

  /** After {@link #run} returned: whether the target was in sync with nothing pending at the end. */
  boolean endedInSync() {
    return endedInSync;
  }

  /** The last error, or null. */
  String lastError() {
    return lastError;
  }

  /** The permanent failure that ended this pipeline, or null. */
  IOException failure() {
    return failure;
  }

  TargetStatus status() {
    long now = System.nanoTime();
    long oldest = pending.oldest().orElse(now);
    long inBatch = batchOldest;
    if (inBatch != 0 && inBatch - oldest < 0) {
      oldest = inBatch;
    }
    return new TargetStatus(name, health, pending.size(), pendingBytes(), inFlight.get(),
        Duration.ofNanos(Math.max(0, now - oldest)), lastSync, lastConverged, lastError, files.get(), bytes.get(),
        deletes.get(), errors.get());
  }

  /** Queued and unsent bytes, or null when either is not known. */
  private Long pendingBytes() {
    OptionalLong queued = pending.bytes();
    OptionalLong left = unsent.remaining();
    return queued.isPresent() && left.isPresent() ? queued.getAsLong() + left.getAsLong() : null;
  }

  /**
   * Runs until {@link #stop} or a permanent failure; closes the remote on the way out.
   *
   * @param first the session opened at start, or null when that failed with {@code firstFailure}
   *     (a target that is down at start is retried like one that went down later)
   * @param states the target's state, by the connected remote (its key names the protocol in use)
   */
  void run(Remote first, IOException firstFailure, Function<Remote, TargetState> states) {
    this.states = states;
    Remote remote = first;
    try {
      HintedSync hinted = new HintedSync(root, options, local -> placement.viewFor(name, local));
      if (remote == null) {
        remote = recover(null, firstFailure);
      } else {
        if (state == null) {
          state = states.apply(remote);
        }
        emit(WatchEvent.info(WatchEvent.TARGET_ONLINE, name));
        remote = reconcileOrRecover(remote);
      }
      long lastVerified = System.nanoTime();
      Remote readied = null;
      while (remote != null && !stopping) {
        if (remote != readied) {
          remote.keepReady();
          readied = remote;
        }
        if (reconcileRequested
            || (!verifyEvery.isZero() && System.nanoTime() - lastVerified >= verifyEvery.toNanos())) {
          reconcileRequested = false;
          lastVerified = System.nanoTime();
          remote = reconcileOrRecover(remote);
          continue;
        }
        if (!remote.isOpen()) {
          remote = recover(remote, new IOException("the connection to " + name + " was lost"));
          continue;
        }
        List<DirtyPath> batch = nextBatch();
        if (batch.isEmpty()) {
          continue;
        }
        health = TargetStatus.Health.SYNCING;
        inFlight.set(batch.size());
        try {
          SyncResult result = hinted.run(batch, state, remote, events);
          unsent.clear();
          synced(result, false);
        } catch (IOException | RuntimeException e) {
          remote = recover(remote, failureOf(e)); // what the batch did not send still waits
        } finally {
          inFlight.set(0);
          batchOldest = 0;
        }
      }
    } finally {
      closeQuietly(remote);
      if (afterSync != null) {
        afterSync.close();
      }
      endedInSync = health == TargetStatus.Health.IN_SYNC && pending.size() == 0;
      if (health != TargetStatus.Health.FAILED) {
        health = TargetStatus.Health.OFFLINE;
      }
    }
  }

  /** A full reconcile (scan + remote listing); the hints it makes redundant are dropped first. */
  private Remote reconcileOrRecover(Remote remote) {
    health = TargetStatus.Health.SYNCING;
    try {
      synced(reconcile(state, remote), true);
      return remote;
    } catch (IOException | RuntimeException e) {
      return recover(remote, failureOf(e));
    }
  }

  /**
   * A batch that ends in an unchecked exception is handled like a lost session: a fresh session and
   * a full reconcile are the surest way back to a known state, and a daemon must not lose a target
   * to one bad moment. (MINA throws IllegalStateException for a session that is closing.)
   */
  private IOException failureOf(Exception e) {
    if (e instanceof IOException io) {
      return io;
    }
    log.warn("{}: unexpected failure, reconnecting", name, e);
    return new IOException(e.getMessage() != null ? e.getMessage() : e.toString(), e);
  }

  /**
   * Compares the whole tree with the remote and sends what differs. The pending hints are dropped
   * first (its scan sees everything they hint at), and the bytes waiting are not known until it
   * has planned.
   */
  private SyncResult reconcile(TargetState state, Remote remote) throws IOException {
    long start = System.nanoTime();
    unsent.unknown();
    pending.clear();
    emit(WatchEvent.info(WatchEvent.SYNC_START, name));
    Snapshot local = placement.viewFor(name, scans.scan());
    SyncResult result = PushJob.reconcile(root, local, state, remote, options, events, start);
    unsent.clear();
    return result;
  }

  /**
   * After a batch (null result: the hinted paths already matched) or a full reconcile: updates the
   * status, reports, and emits drift and the convergence events. A batch's {@code sync.converged}
   * carries its propagation time, from the arrival of its oldest hint to now.
   */
  private void synced(SyncResult result, boolean full) {
    lastSync = clock.instant();
    boolean clean = result == null || (result.problems().isEmpty() && result.refusalReason() == null);
    boolean caughtUp = pending.size() == 0;
    health = !clean ? TargetStatus.Health.DEGRADED : caughtUp ? TargetStatus.Health.IN_SYNC : TargetStatus.Health.SYNCING;
    if (result != null && !result.problems().isEmpty()) {
      lastError = result.problems().getFirst().toString();
    }
    if (result != null) {
      for (var d : result.drift()) {
        emit(WatchEvent.warn(WatchEvent.DRIFT_DETECTED, name, d.message()).path(d.path()));
      }
    }
    if (full) {
      reporter.reconciled(name, result);
      emit(WatchEvent.info(WatchEvent.SYNC_RECONCILED, name).bytes(result.bytesTransferred())
          .durationMs(result.elapsed().toMillis()));
    } else if (result != null) {
      reporter.synced(name, result);
    }
    if (clean && caughtUp) {
      lastConverged = lastSync;
      if (afterSync != null && result != null
          && result.filesTransferred() + result.deleted() + result.renamed() + result.directoriesCreated() > 0) {
        afterSync.converged();
      }
      if (!full) {
        long oldest = pending.takenOldest();
        emit(WatchEvent.info(WatchEvent.SYNC_CONVERGED, name)
            .bytes(result == null ? 0 : result.bytesTransferred())
            .durationMs(Duration.ofNanos(System.nanoTime() - oldest).toMillis()));
      }
    }
  }

  private void emit(WatchEvent event) {
    reporter.event(event);
  }

  /** Turns the engine's per-path callbacks into events, counters and the bytes still to send. */
  private final class Events implements SyncListener {
    @Override
    public void planned(Plan plan) {
      unsent.planned(plan.fileBytes());
    }

    @Override
    public void bytes(long count) {
      unsent.moved(count);
    }

    @Override
    public void done(FileTransfer file) {
      unsent.finished(file.entry().size());
      files.incrementAndGet();
      bytes.addAndGet(file.entry().size());
      emit(WatchEvent.info(WatchEvent.FILE_UPLOADED, name).path(file.entry().path()).bytes(file.entry().size()));
    }

    @Override
    public void delta(FileTransfer file, long sent) {
      emit(WatchEvent.info(WatchEvent.TRANSFER_DELTA, name).path(file.entry().path()).bytes(sent));
    }

    @Override
    public void failed(FileTransfer file, Exception cause) {
      unsent.finished(file.entry().size());
    }

    @Override
    public void resumed(FileTransfer file, long already) {
      unsent.moved(already);
      emit(WatchEvent.info(WatchEvent.TRANSFER_RESUMED, name).path(file.entry().path()).bytes(already));
    }

    @Override
    public void deleted(String path) {
      deletes.incrementAndGet();
      emit(WatchEvent.info(WatchEvent.FILE_DELETED, name).path(path));
    }

    @Override
    public void renamed(String from, String to) {
      emit(WatchEvent.info(WatchEvent.FILE_RENAMED, name).path(to).from(from));
    }

    @Override
    public void problem(dev.scpsync.tree.Problem problem) {
      errors.incrementAndGet();
      emit(WatchEvent.warn(WatchEvent.SYNC_PROBLEM, name, problem.message()).path(problem.path()));
    }
  }

  /**
   * The next batch: waits briefly for hints, then, when they may be half of a move (a subtree: a
   * directory was made, moved or deleted; or a path that is gone), waits up to a debounce window a
   * few times more: the watcher may deliver the other half of a move a moment later, and meeting
   * both halves in one plan turns the move into a rename. Without the wait, the vanished name
   * would be deleted remotely (and dropped from the state) before its new name showed up, which
   * then had to be sent again. Plain writes never wait. Empty when there is nothing (or on a stop
   * request); an interrupt is a stop request.
   */
  private List<DirtyPath> nextBatch() {
    try {
      List<DirtyPath> first = pending.take(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
      if (first.isEmpty()) {
        return first;
      }
      batchOldest = pending.takenOldest();
      unsent.expect(PendingHints.bytesOf(first)); // taken from the queue, not yet sent
      List<List<DirtyPath>> all = new ArrayList<>(List.of(first));
      List<DirtyPath> batch = first;
      for (int round = 0; round < MAX_GATHER_ROUNDS && !stopping && mayBeHalfAMove(all.getLast()); round++) {
        List<DirtyPath> more = pending.take(gather.toNanos(), TimeUnit.NANOSECONDS);
        if (more.isEmpty()) {
          break;
        }
        all.add(more);
        batch = PendingHints.merge(all);
        unsent.expect(PendingHints.bytesOf(batch));
      }
      return batch;
    } catch (InterruptedException e) {
      stopping = true;
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /** A subtree hint, or a path that no longer exists (looked at for the first few hints only). */
  private boolean mayBeHalfAMove(List<DirtyPath> batch) {
    if (batch.stream().anyMatch(DirtyPath::subtree)) {
      return true;
    }
    return batch.stream().limit(MAX_VANISHED_CHECKS).anyMatch(
        d -> !d.path().isEmpty() && !Files.exists(root.resolve(d.path()), LinkOption.NOFOLLOW_LINKS));
  }

  /**
   * After a failure of the remote: drops the session and reconnects with backoff until it works,
   * the pipeline is stopped (null) or the failure turns out permanent (null, {@link #failure} set).
   * A successful reconnect is followed by a full reconcile.
   */
  private Remote recover(Remote broken, IOException cause) {
    closeQuietly(broken);
    IOException last = cause;
    int attempt = 0;
    lastError = last.getMessage();
    health = TargetStatus.Health.OFFLINE; // also when stopping: the watch may end with this target behind
    while (!stopping) {
      lastError = last.getMessage();
      errors.incrementAndGet();
      if (isPermanent(last)) {
        health = TargetStatus.Health.FAILED;
        failure = last;
        log.error("{}: {}; not retrying", name, last.getMessage());
        reporter.failed(name, last);
        emit(WatchEvent.error(WatchEvent.TARGET_FAILED, name, last.getMessage()));
        return null;
      }
      health = TargetStatus.Health.OFFLINE; // before the event: its listeners may ask who is online
      if (attempt == 0) {
        emit(WatchEvent.warn(WatchEvent.TARGET_OFFLINE, name, last.getMessage()));
      }
      Duration delay = backoff.next();
      attempt++;
      log.warn("{}: {}; reconnecting in {} ms", name, last.getMessage(), delay.toMillis());
      reporter.disconnected(name, last, delay);
      emit(WatchEvent.warn(WatchEvent.TRANSFER_RETRY, name, last.getMessage()).attempt(attempt)
          .durationMs(delay.toMillis()));
      try {
        if (reconnectWait().await(delay)) {
          log.info("{}: its SSH port answers again; reconnecting now", name);
        }
      } catch (InterruptedException e) {
        stopping = true;
        Thread.currentThread().interrupt();
        return null;
      }
      if (stopping) {
        return null;
      }
      Remote remote = null;
      try {
        health = TargetStatus.Health.CONNECTING;
        remote = connect();
        if (state == null) {
          state = states.apply(remote);
        }
        health = TargetStatus.Health.SYNCING;
        emit(WatchEvent.info(WatchEvent.TARGET_ONLINE, name));
        synced(reconcile(state, remote), true);
        backoff.reset();
        return remote;
      } catch (IOException | RuntimeException e) {
        closeQuietly(remote);
        last = failureOf(e);
      }
    }
    return null;
  }

  /**
   * A changed or revoked host key and a refused key or password stay that way until a person acts:
   * retrying them would only fill the logs (and, for authentication, risk a lockout).
   */
  static boolean isPermanent(IOException e) {
    return e instanceof SshConnectException c
        && (c.step() == SshConnectException.Step.HOST_KEY || c.step() == SshConnectException.Step.AUTHENTICATION);
  }

  /** The wait between reconnect attempts, probing the target's SSH port (made on first use). */
  private ReconnectWait reconnectWait() {
    if (reconnectWait == null) {
      reconnectWait = new ReconnectWait(backoff, ReconnectWait.tcp(connector.directAddress(target.spec())), () -> stopping);
    }
    return reconnectWait;
  }

  private static void closeQuietly(Remote remote) {
    if (remote == null) {
      return;
    }
    try {
      remote.close();
    } catch (IOException e) {
      log.debug("closing {}: {}", remote.describe(), e.toString());
    }
  }
}
