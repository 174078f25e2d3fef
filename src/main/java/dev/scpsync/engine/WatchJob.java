package dev.scpsync.engine;

import dev.scpsync.scan.LocalScanner;
import dev.scpsync.state.StateStore;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.watch.DirtyPath;
import dev.scpsync.watch.TreeWatcher;
import dev.scpsync.watch.WatchListener;
import dev.scpsync.watch.WatchOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Live mirroring of a local tree to one or more targets: one watcher, one {@link TargetPipeline}
 * per target (own session, queue, thread, backoff and health), until {@link #stop}.
 *
 * <ol>
 *   <li>The {@link TreeWatcher} starts <em>first</em>, so a change made while the initial scans run
 *       is hinted and handled after them; nothing falls between the scan and the watch.
 *   <li>Every target is connected (in parallel) before anything is synced. A target refused for
 *       good (host key, authentication) or no reachable target at all ends the watch at once, as
 *       it would end a push; a target that is merely down starts offline and is retried, so one
 *       dead target never keeps the others from starting.
 *   <li>Each batch of hints goes to every pipeline's own queue, coalesced by path there; the
 *       watcher never waits for a target.
 * </ol>
 *
 * <p>Stopping ({@link #stop}, or an interrupt of the thread in {@link #run}) closes the watcher,
 * lets each pipeline finish its batch in progress, flushes the state and returns normally. The
 * watch also ends by itself when the watcher stops or every target failed for good.
 *
 * <p>The watch needs the state: it is the only picture of the remote between changes.
 */
public final class WatchJob {
  /** Distinct pending paths per target beyond which it falls back to one whole-tree rescan. */
  static final int MAX_PENDING_PATHS = 100_000;
  /**
   * How long the first target to reconcile waits for others to share its scan of the source: the
   * targets connect in parallel and reconcile within milliseconds of each other at start.
   */
  static final Duration SCAN_GATHER = Duration.ofMillis(25);

  /** What a running watch tells its user. Called from the targets' threads, concurrently. */
  public interface Reporter {
    /** A target's initial reconcile, or a catch-up one after a reconnect, is done. */
    default void reconciled(String target, SyncResult result) {}

    /** One batch of changes was carried out on a target (or met problems). */
    default void synced(String target, SyncResult result) {}

    /** A target's remote failed; the next attempt is in {@code retryIn}. */
    default void disconnected(String target, IOException cause, Duration retryIn) {}

    /** A target failed in a way retrying cannot fix; it gets no more changes. */
    default void failed(String target, IOException cause) {}

    /** The watcher lost events, cannot watch a directory, or stopped. */
    default void warning(String message) {}

    /** Anything in the event vocabulary ({@link WatchEvent}), for logs, metrics and the status API. */
    default void event(WatchEvent event) {}
  }

  private final SshConnector connector;
  private final Supplier<Backoff> backoffs;
  private final CountDownLatch finished = new CountDownLatch(1);
  /** Reconfigurations for the watch's thread; {@link #STOP} ends it. */
  private final LinkedBlockingQueue<Object> requests = new LinkedBlockingQueue<>();
  private static final Object STOP = new Object();
  /** The running pipelines, once the watch has started. */
  private volatile Fleet fleet;
  private volatile Placement placement;
  private volatile Exception watcherFailure;
  private volatile Duration verifyEvery = Duration.ZERO;
  private volatile List<String> onSynced = List.of();
  private volatile Duration hookDebounce = Duration.ofSeconds(1);

  public WatchJob(SshConnector connector) {
    this(connector, Backoff::defaults);
  }

  /** With injected backoffs (one per target): tests reconnect without real sleeps. */
  public WatchJob(SshConnector connector, Supplier<Backoff> backoffs) {
    this.connector = connector;
    this.backoffs = backoffs;
  }

  /**
   * Runs a full reconcile (remote listing included, so drift and changes made by others on the
   * remote are seen) on each target whenever this much time passed since its last one; zero turns
   * it off. Between those, batches trust the sync state.
   */
  public WatchJob verifyEvery(Duration interval) {
    this.verifyEvery = interval == null || interval.isNegative() ? Duration.ZERO : interval;
    return this;
  }

  /**
   * A local command (argument vector, no shell) run each time a file has reached every target its
   * placement puts it on; see {@link SyncedHook} for its environment. Empty: none.
   */
  public WatchJob onSynced(List<String> argv) {
    this.onSynced = List.copyOf(argv);
    return this;
  }

  /** How long a target's changes must stay converged before its {@code after-sync} command runs. */
  public WatchJob hookDebounce(Duration debounce) {
    this.hookDebounce = debounce;
    return this;
  }

  /**
   * Runs the watch until {@link #stop} is called, the thread is interrupted, the watcher stops, or
   * every target has failed for good.
   *
   * @throws IOException when the source cannot be watched or read, the state cannot be opened, a
   *     first connection fails, the watcher stopped on its own, or a target failed for good (after
   *     the others were stopped cleanly)
   */
  public void run(Path source, List<TargetSpec> targets, SyncOptions options, WatchOptions watchOptions,
      Reporter reporter) throws IOException {
    List<WatchTarget> named = targets.stream().map(WatchTarget::of).toList();
    run(source, named, Placement.mirror(named.stream().map(WatchTarget::name).toList()), options, watchOptions, reporter);
  }

  /**
   * As {@link #run(Path, List, SyncOptions, WatchOptions, Reporter)}, with named targets and a
   * placement that says which of them hold which files.
   */
  public void run(Path source, List<WatchTarget> targets, Placement placement, SyncOptions options,
      WatchOptions watchOptions, Reporter reporter) throws IOException {
    try {
      watch(source, targets, placement, options, watchOptions, reporter);
    } finally {
      finished.countDown();
    }
  }

  private void watch(Path source, List<WatchTarget> targets, Placement first, SyncOptions options,
      WatchOptions watchOptions, Reporter reporter) throws IOException {
    if (options.stateDir() == null) {
      throw new IllegalArgumentException("watch needs the sync state (no --no-state)");
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("watch needs at least one target");
    }
    Path root = source.toAbsolutePath().normalize();
    Duration gather = clamp(watchOptions.debounce(), Duration.ofMillis(5), Duration.ofMillis(100));
    placement = first;
    SyncedHook synced = onSynced.isEmpty() ? null : new SyncedHook(onSynced, () -> placement, root, reporter::event);
    Reporter hooked = withEvents(reporter, event -> {
      if (placement.balancer() != null) {
        balance(placement.balancer(), event, pipelines(), root);
      }
      if (synced != null) {
        synced.accept(event);
      }
    });
    SharedScan scans = new SharedScan(() -> new LocalScanner(options.excludes()).scan(root), SCAN_GATHER);
    Function<WatchTarget, TargetPipeline> pipeline = t -> new TargetPipeline(t, placement, connector, options, root,
        backoffs.get(), hooked, gather, verifyEvery, Clock.systemUTC(), MAX_PENDING_PATHS,
        t.afterSync() == null ? null
            : new AfterSyncHook(connector, t.spec(), t.name(), t.afterSync(), hookDebounce, hooked::event),
        scans);
    List<TargetPipeline> all = new ArrayList<>();
    try (TreeWatcher watcher = TreeWatcher.start(root, watchOptions.withExcludes(options.excludes()::excludes),
            listener(reporter));
        StateStore store = StateStore.open(options.stateDir(), root)) {
      Fleet fleet = new Fleet(store, this::stop);
      this.fleet = fleet;
      connectBalance(fleet);
      List<TargetPipeline> initial = targets.stream().map(pipeline).toList();
      all.addAll(initial);
      fleet.startAll(initial);
      for (Reconfiguration next = nextRequest(); next != null; next = nextRequest()) {
        all.addAll(reconfigure(fleet, next, pipeline, reporter));
      }
      fleet.stopAll();
      if (synced != null) {
        synced.close(); // lets the hook runs already due finish
      }
      // Closing the watcher (try-with-resources) stops the hints; closing the store flushes it.
    }
    if (watcherFailure != null) {
      throw new IOException("watching " + root + " stopped: " + watcherFailure.getMessage(), watcherFailure);
    }
    List<String> failed = all.stream().filter(p -> p.failure() != null)
        .map(p -> p.target().name() + ": " + p.failure().getMessage()).toList();
    if (!failed.isEmpty()) {
      throw new IOException("stopped syncing to " + String.join("; ", failed));
    }
  }

  /** A new target set and placement, from a reloaded config. */
  private record Reconfiguration(List<WatchTarget> targets, Placement placement) {}

  /**
   * Waits for the next reconfiguration; null on a stop request (or an interrupt of the thread in
   * {@link #run}, which is how a caller without a handle on the job asks it to stop).
   */
  private Reconfiguration nextRequest() {
    try {
      Object request = requests.take();
      return request instanceof Reconfiguration r ? r : null;
    } catch (InterruptedException e) {
      return null;
    }
  }

  /**
   * Applies a reloaded target set: removed targets stop cleanly (their batch in progress done),
   * new ones connect and start from a reconcile, targets whose name and spec are unchanged keep
   * their sessions; when the placement changed they reconcile under the new one. A new target that
   * cannot be reached is reported and left out. Returns the pipelines started.
   */
  private List<TargetPipeline> reconfigure(Fleet fleet, Reconfiguration next,
      Function<WatchTarget, TargetPipeline> pipeline, Reporter reporter) {
    List<TargetPipeline> started = new ArrayList<>();
    Map<String, WatchTarget> wanted = new LinkedHashMap<>();
    next.targets().forEach(t -> wanted.put(t.name(), t));
    for (TargetPipeline p : fleet.pipelines()) {
      WatchTarget w = wanted.get(p.name());
      if (w == null || !w.equals(p.target())) {
        fleet.remove(p.name());
        reporter.event(WatchEvent.info(WatchEvent.TARGET_REMOVED, p.name()));
      }
    }
    boolean replanned = !next.placement().sameLayoutAs(placement);
    if (replanned) {
      placement = next.placement(); // else the old one stays, with a balance mode's assignments
    }
    connectBalance(fleet);
    for (TargetPipeline p : fleet.pipelines()) {
      if (replanned) {
        p.replan(placement);
      }
    }
    Set<String> kept = new HashSet<>(fleet.pipelines().stream().map(TargetPipeline::name).toList());
    for (WatchTarget t : next.targets()) {
      if (!kept.contains(t.name())) {
        TargetPipeline p = pipeline.apply(t);
        try {
          fleet.add(p);
          started.add(p);
        } catch (IOException e) {
          reporter.failed(t.name(), e);
          reporter.event(WatchEvent.error(WatchEvent.TARGET_FAILED, t.name(), e.getMessage()));
        }
      }
    }
    return started;
  }

  private void connectBalance(Fleet fleet) {
    Placement p = placement;
    if (p.balancer() != null) {
      p.balancer().connect(fleet::holder,
          name -> fleet.pipelines().stream().anyMatch(q -> q.name().equals(name) && q.online()));
    }
  }

  /**
   * Replaces the target set and placement of the running watch (a reloaded config). Returns at
   * once; the watch's own thread applies it. Safe from any thread.
   */
  public void reconfigure(List<WatchTarget> targets, Placement next) {
    requests.add(new Reconfiguration(List.copyOf(targets), next));
  }

  /**
   * Keeps a balance placement's books: a confirmed upload no longer counts as load; a target that
   * went offline gives back its unconfirmed files, and every pipeline is told to look at them
   * again (the ones still online will take them).
   */
  private static void balance(BalanceAssigner balancer, WatchEvent event, List<TargetPipeline> pipelines, Path root) {
    switch (event.event()) {
      case WatchEvent.FILE_UPLOADED -> balancer.confirmed(event.target(), event.path());
      case WatchEvent.TARGET_OFFLINE, WatchEvent.TARGET_FAILED -> {
        // Sized here, on the thread of the target that went away, as the watcher sizes its hints.
        List<DirtyPath> hints = balancer.release(event.target()).stream()
            .map(p -> DirtyPath.of(p, LocalFacts.contentBytes(root.resolve(p)))).toList();
        if (!hints.isEmpty()) {
          pipelines.forEach(p -> p.offer(hints));
        }
      }
      default -> { }
    }
  }

  /** {@code reporter}, with every event also handed to {@code also}. */
  private static Reporter withEvents(Reporter reporter, java.util.function.Consumer<WatchEvent> also) {
    return new Reporter() {
      @Override
      public void reconciled(String target, SyncResult result) {
        reporter.reconciled(target, result);
      }

      @Override
      public void synced(String target, SyncResult result) {
        reporter.synced(target, result);
      }

      @Override
      public void disconnected(String target, IOException cause, Duration retryIn) {
        reporter.disconnected(target, cause, retryIn);
      }

      @Override
      public void failed(String target, IOException cause) {
        reporter.failed(target, cause);
      }

      @Override
      public void warning(String message) {
        reporter.warning(message);
      }

      @Override
      public void event(WatchEvent event) {
        reporter.event(event);
        also.accept(event);
      }
    };
  }

  /**
   * After {@link #run} returned: the targets that were not in sync when the watch ended (offline,
   * failed, or a batch left behind), as {@code name: last error}. Empty when every one was.
   */
  public List<String> behindAtEnd() {
    return pipelines().stream().filter(p -> !p.endedInSync())
        .map(p -> p.name() + ": " + (p.lastError() != null ? p.lastError() : "not in sync")).toList();
  }

  private List<TargetPipeline> pipelines() {
    Fleet f = fleet;
    return f == null ? List.of() : f.pipelines();
  }

  /** Every target's current status, in the order they were given. Safe from any thread. */
  public List<TargetStatus> status() {
    return pipelines().stream().map(TargetPipeline::status).toList();
  }

  /** Asks the watch to end after the batches in progress; returns at once. Safe from any thread. */
  public void stop() {
    requests.add(STOP);
  }

  /** Waits until {@link #run} has returned (or thrown); false when {@code timeout} passed first. */
  public boolean awaitFinished(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private WatchListener listener(Reporter reporter) {
    return new WatchListener() {
      @Override
      public void onChanges(List<DirtyPath> batch) {
        for (TargetPipeline p : pipelines()) {
          p.offer(batch); // coalesced per target; never blocks the watcher's thread
        }
      }

      @Override
      public void onWarning(String message) {
        reporter.warning(message);
        reporter.event(WatchEvent.warn(WatchEvent.WATCH_WARNING, null, message));
      }

      @Override
      public void onOverflow(java.util.Collection<String> dirs) {
        reporter.event(WatchEvent.warn(WatchEvent.WATCH_OVERFLOW, null, "file events were lost; rescanning")
            .path(dirs.contains("") ? "" : dirs.iterator().next()));
      }

      @Override
      public void onStopped(Exception cause) {
        watcherFailure = cause;
        stop();
      }
    };
  }

  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }
}
