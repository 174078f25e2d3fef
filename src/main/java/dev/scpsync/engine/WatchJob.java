package dev.scpsync.engine;

import dev.scpsync.scan.LocalScanner;
import dev.scpsync.state.StateStore;
import dev.scpsync.state.TargetState;
import dev.scpsync.transport.Remote;
import dev.scpsync.transport.RemoteOpener;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.tree.Snapshot;
import dev.scpsync.watch.DirtyPath;
import dev.scpsync.watch.TreeWatcher;
import dev.scpsync.watch.WatchListener;
import dev.scpsync.watch.WatchOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live mirroring of a local tree to one target: reconcile once like a push, then send every change
 * the watcher hints at, over one SSH session kept open between changes, until {@link #stop}.
 *
 * <ol>
 *   <li>The {@link TreeWatcher} starts <em>first</em>, so a change made while the initial scan runs
 *       is hinted and handled after it; nothing falls between the scan and the watch.
 *   <li>The initial reconcile is {@link PushJob}'s, over the watch's own session and state.
 *   <li>Each batch of hints (all batches waiting are merged into one) is handed to {@link
 *       HintedSync}, which re-stats the paths and plans against the state alone.
 *   <li>A batch that fails as a whole (the session dropped) is logged; the job reconnects with
 *       {@link Backoff} (exponential, jittered), then runs a full reconcile, which covers every
 *       hint queued meanwhile, and carries on.
 * </ol>
 *
 * <p>Stopping ({@link #stop}, or an interrupt of the running thread while it waits for changes)
 * closes the watcher, lets the batch in progress finish, flushes the state and returns normally.
 *
 * <p>The watch needs the state: it is the only picture of the remote between changes.
 */
public final class WatchJob {
  private static final Logger log = LoggerFactory.getLogger(WatchJob.class);
  /** How often the loop looks at the stop flag while no changes come. */
  private static final long IDLE_POLL_MS = 100;
  /** At most this many extra waits for the rest of a directory move; see {@link #nextBatch}. */
  private static final int MAX_GATHER_ROUNDS = 4;

  /** What a running watch tells its user. Called from the thread running {@link #run}. */
  public interface Reporter {
    /** The initial reconcile, or a catch-up one after a reconnect, is done. */
    default void reconciled(SyncResult result) {}

    /** One batch of changes was carried out (or met problems). */
    default void synced(SyncResult result) {}

    /** The remote failed; the next attempt is in {@code retryIn}. */
    default void disconnected(IOException cause, Duration retryIn) {}

    /** The watcher lost events, cannot watch a directory, or stopped. */
    default void warning(String message) {}
  }

  private final SshConnector connector;
  private final Backoff backoff;
  private final LinkedBlockingQueue<List<DirtyPath>> batches = new LinkedBlockingQueue<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile Exception watcherFailure;
  private Duration gather = Duration.ofMillis(20);
  private volatile Duration verifyEvery = Duration.ZERO;

  public WatchJob(SshConnector connector) {
    this(connector, Backoff.defaults());
  }

  /** With an injected backoff: tests reconnect without real sleeps. */
  public WatchJob(SshConnector connector, Backoff backoff) {
    this.connector = connector;
    this.backoff = backoff;
  }

  /**
   * Runs the watch until {@link #stop} is called or the thread is interrupted while idle.
   *
   * @throws IOException when the source cannot be watched or read, the state cannot be opened, the
   *     first connection fails, or the watcher stopped on its own
   */
  public void run(Path source, TargetSpec target, SyncOptions options, WatchOptions watchOptions, Reporter reporter)
      throws IOException {
    try {
      watch(source, target, options, watchOptions, reporter);
    } finally {
      finished.countDown();
    }
  }

  private void watch(Path source, TargetSpec target, SyncOptions options, WatchOptions watchOptions, Reporter reporter)
      throws IOException {
    if (options.stateDir() == null) {
      throw new IllegalArgumentException("watch needs the sync state (no --no-state)");
    }
    Path root = source.toAbsolutePath().normalize();
    gather = clamp(watchOptions.debounce(), Duration.ofMillis(5), Duration.ofMillis(100));
    try (TreeWatcher watcher = TreeWatcher.start(root, watchOptions.withExcludes(options.excludes()::excludes),
            listener(reporter));
        StateStore store = StateStore.open(options.stateDir(), root)) {
      Remote remote = RemoteOpener.open(connector, target, options.protocol());
      try {
        TargetState state = store.target(remote.describe());
        HintedSync hinted = new HintedSync(root, options);
        try {
          reporter.reconciled(reconcile(root, state, remote, options));
        } catch (IOException e) {
          remote = recover(remote, e, root, state, target, options, reporter);
        }
        long lastVerified = System.nanoTime();
        while (remote != null && !stopping) {
          if (!verifyEvery.isZero() && System.nanoTime() - lastVerified >= verifyEvery.toNanos()) {
            lastVerified = System.nanoTime();
            batches.clear(); // the full reconcile covers every queued hint
            try {
              reporter.reconciled(reconcile(root, state, remote, options));
            } catch (IOException e) {
              remote = recover(remote, e, root, state, target, options, reporter);
            }
            continue;
          }
          List<DirtyPath> batch = nextBatch();
          if (batch.isEmpty()) {
            continue;
          }
          try {
            SyncResult result = hinted.run(batch, state, remote, SyncListener.NONE);
            if (result != null) {
              reporter.synced(result);
            }
          } catch (IOException e) {
            remote = recover(remote, e, root, state, target, options, reporter);
          }
        }
      } finally {
        closeQuietly(remote);
      }
      // Closing the watcher (try-with-resources) stops the hints; closing the store flushes it.
      if (watcherFailure != null) {
        throw new IOException("watching " + root + " stopped: " + watcherFailure.getMessage(), watcherFailure);
      }
    }
  }

  /**
   * Runs a full reconcile (remote listing included, so drift and changes made by others on the
   * remote are seen) whenever this much time passed since the last one; zero turns it off.
   * Between those, batches trust the sync state.
   */
  public WatchJob verifyEvery(Duration interval) {
    this.verifyEvery = interval == null || interval.isNegative() ? Duration.ZERO : interval;
    return this;
  }

  /** Asks the watch to end after the batch in progress; returns at once. Safe from any thread. */
  public void stop() {
    stopping = true;
    batches.add(List.of()); // wakes the loop
  }

  /** Waits until {@link #run} has returned (or thrown); false when {@code timeout} passed first. */
  public boolean awaitFinished(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private WatchListener listener(Reporter reporter) {
    return new WatchListener() {
      @Override
      public void onChanges(List<DirtyPath> batch) {
        batches.add(batch); // hand off at once: the watcher thread must get back to its events
      }

      @Override
      public void onWarning(String message) {
        reporter.warning(message);
      }

      @Override
      public void onStopped(Exception cause) {
        watcherFailure = cause;
        stop();
      }
    };
  }

  /**
   * The next batch: waits briefly for one, then merges it with every batch already waiting, so a
   * directory moved across two deliveries still meets both of its hints in one plan. Empty when
   * there is nothing (or on a stop request). An interrupt is a stop request.
   */
  private List<DirtyPath> nextBatch() {
    List<DirtyPath> first;
    try {
      first = batches.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      stopping = true;
      return List.of();
    }
    if (first == null) {
      return List.of();
    }
    List<List<DirtyPath>> all = new ArrayList<>();
    all.add(first);
    batches.drainTo(all);
    // A subtree hint means directories were made, moved or deleted: the other half of a move may
    // be a debounce window behind. Waiting that long for it costs a directory move a few ms and
    // lets it become a rename; plain file changes never wait.
    for (int round = 0; round < MAX_GATHER_ROUNDS && hasSubtree(all.getLast()); round++) {
      List<DirtyPath> more;
      try {
        more = batches.poll(gather.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        stopping = true;
        break;
      }
      if (more == null || more.isEmpty()) {
        break;
      }
      all.add(more);
      batches.drainTo(all);
    }
    return merge(all);
  }

  private static boolean hasSubtree(List<DirtyPath> batch) {
    return batch.stream().anyMatch(DirtyPath::subtree);
  }

  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }

  /** One list of hints, a path once (subtree if any said so), none covered by a subtree hint. */
  static List<DirtyPath> merge(List<List<DirtyPath>> batches) {
    Map<String, Boolean> byPath = new LinkedHashMap<>();
    for (List<DirtyPath> batch : batches) {
      for (DirtyPath d : batch) {
        byPath.merge(d.path(), d.subtree(), Boolean::logicalOr);
      }
    }
    List<DirtyPath> subtrees = new ArrayList<>();
    byPath.forEach((p, s) -> {
      if (s) {
        subtrees.add(new DirtyPath(p, true));
      }
    });
    List<DirtyPath> merged = new ArrayList<>();
    byPath.forEach((p, s) -> {
      DirtyPath d = new DirtyPath(p, s);
      boolean covered = subtrees.stream().anyMatch(t -> !t.path().equals(p) && t.covers(p));
      if (!covered) {
        merged.add(d);
      }
    });
    return merged;
  }

  private static SyncResult reconcile(Path root, TargetState state, Remote remote, SyncOptions options)
      throws IOException {
    long start = System.nanoTime();
    Snapshot local = new LocalScanner(options.excludes()).scan(root);
    return PushJob.reconcile(root, local, state, remote, options, SyncListener.NONE, start);
  }

  /**
   * After a failure of the remote: drops the session, reconnects with backoff until it works or
   * the watch is stopped, then reconciles the whole tree, which also covers every hint queued
   * while disconnected. Returns the new remote, or null when stopped first.
   */
  private Remote recover(Remote broken, IOException cause, Path root, TargetState state, TargetSpec target,
      SyncOptions options, Reporter reporter) {
    closeQuietly(broken);
    IOException last = cause;
    while (!stopping) {
      Duration delay = backoff.next();
      log.warn("{}: {}; reconnecting in {} ms", state.key(), last.getMessage(), delay.toMillis());
      reporter.disconnected(last, delay);
      try {
        sleep(delay);
      } catch (InterruptedException e) {
        stopping = true;
        return null;
      }
      Remote remote = null;
      try {
        remote = RemoteOpener.open(connector, target, options.protocol());
        batches.clear(); // the reconcile's scan sees everything they hinted at
        reporter.reconciled(reconcile(root, state, remote, options));
        backoff.reset();
        return remote;
      } catch (IOException e) {
        closeQuietly(remote);
        last = e;
      }
    }
    return null;
  }

  /** Sleeps in slices, so that a stop request ends even a long backoff promptly. */
  private void sleep(Duration delay) throws InterruptedException {
    Duration slice = Duration.ofMillis(IDLE_POLL_MS);
    for (Duration left = delay; !stopping && left.isPositive(); left = left.minus(slice)) {
      backoff.sleep(left.compareTo(slice) < 0 ? left : slice);
    }
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
