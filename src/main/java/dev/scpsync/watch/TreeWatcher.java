package dev.scpsync.watch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A recursive watch of one local directory tree that reports what changed as batches of {@link
 * DirtyPath} hints: debounced, coalesced per path, held while a file is still being written (see
 * {@link WatchOptions}), with excluded directories neither watched nor reported.
 *
 * <p>Hints are never the whole truth, and nothing is ever dropped silently: when events are lost
 * (the kernel's or the JDK's event queue overflowed) or a directory cannot be watched (the inotify
 * watch limit), the watcher logs a warning naming the limit and the fix, tells the {@link
 * WatchListener}, and reports the affected subtree for a rescan; an unwatched subtree is retried
 * and reported again periodically, so the consumer keeps converging.
 *
 * <p>Start the watcher <em>before</em> the initial scan or reconcile: a change made while that scan
 * runs is then hinted, and nothing falls into the gap between the scan and the watch.
 *
 * <p>Built on the JDK {@link WatchService}; see the package documentation for why, and for what
 * changes on macOS.
 *
 * <p>Thread-safe: {@link #start} returns once every directory is watched; then one daemon thread
 * per watcher handles all events and makes all listener calls. {@link #close} may be called from
 * any thread, including a listener call, and more than once.
 */
public final class TreeWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TreeWatcher.class);

  /** Keys handled before the coalescer gets a turn, so a storm cannot starve the output. */
  private static final int MAX_KEYS_PER_ROUND = 1_024;

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final Path root;
  private final WatchService service;
  private final WatchRegistry registry;
  private final ChangeCoalescer coalescer;
  private final EventRouter router;
  private final WatchListener listener;
  private final Ticker ticker;
  private final Queue<String> injectedOverflows = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakeRequested = new AtomicBoolean();
  private final Thread thread;
  private volatile boolean closed;

  private TreeWatcher(
      Path root,
      WatchService service,
      WatchOptions options,
      WatchListener listener,
      UnaryOperator<WatchRegistry.Registrar> registrars) {
    this.root = root;
    this.service = service;
    this.listener = listener;
    this.ticker = Ticker.system();
    WatchRegistry.Registrar jdk =
        dir ->
            dir.register(
                service,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_DELETE,
                StandardWatchEventKinds.ENTRY_MODIFY);
    this.registry = new WatchRegistry(root, options.excludes(), registrars.apply(jdk));
    this.coalescer =
        new ChangeCoalescer(
            ticker, FileStamp.under(root), options, ChangeCoalescer.DEFAULT_MAX_TRACKED_PATHS);
    WatchWarnings warnings =
        new WatchWarnings(
            listener, new InotifyLimits(InotifyLimits.PROC), ticker, options.unwatchedRescan());
    this.router = new EventRouter(root, options, registry, coalescer, warnings, ticker);
    this.thread = Thread.ofPlatform().daemon().name("scpsync-watch " + root).unstarted(this::run);
  }

  /**
   * Watches {@code root} and every directory below it that {@code options} does not exclude, and
   * starts reporting changes to {@code listener}. Returns once every directory is watched;
   * directories that cannot be watched are reported through {@link WatchListener#onWarning} and as
   * subtree hints, not as an exception.
   *
   * @throws NotDirectoryException when {@code root} is not a directory
   * @throws IOException when {@code root} cannot be read or no watch service can be created (the
   *     message then names the inotify instance limit and how to raise it)
   */
  public static TreeWatcher start(Path root, WatchOptions options, WatchListener listener)
      throws IOException {
    return start(root, options, listener, UnaryOperator.identity());
  }

  /** Like the public start, with the registration wrapped: a seam to simulate the watch limit. */
  static TreeWatcher start(
      Path root,
      WatchOptions options,
      WatchListener listener,
      UnaryOperator<WatchRegistry.Registrar> registrars)
      throws IOException {
    Path realRoot = root.toRealPath();
    if (!Files.isDirectory(realRoot)) {
      throw new NotDirectoryException(root.toString());
    }
    WatchService service;
    try {
      service = realRoot.getFileSystem().newWatchService();
    } catch (IOException e) {
      String advice =
          String.valueOf(e.getMessage()).contains("inotify instances")
              ? "; " + new InotifyLimits(InotifyLimits.PROC).instanceAdvice()
              : "";
      throw new IOException("cannot watch " + root + ": " + e.getMessage() + advice, e);
    }
    try {
      TreeWatcher watcher = new TreeWatcher(realRoot, service, options, listener, registrars);
      watcher.router.register("");
      watcher.thread.start();
      return watcher;
    } catch (UncheckedIOException e) {
      service.close();
      throw e.getCause();
    } catch (RuntimeException | Error e) {
      service.close();
      throw e;
    }
  }

  /** The watched directory, as a real path (symlinks resolved). */
  public Path root() {
    return root;
  }

  /** Stops watching and releases every watch; waits briefly for the watcher thread to end. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      service.close(); // wakes the thread with ClosedWatchServiceException
    } catch (IOException e) {
      log.debug("closing the watch service of {}: {}", root, e.toString());
    }
    registry.clear();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(CLOSE_WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    try {
      while (!closed) {
        WatchKey key = await();
        int handled = 0;
        while (key != null) {
          router.handle(key);
          key = ++handled < MAX_KEYS_PER_ROUND ? service.poll() : null;
        }
        for (String dir; (dir = injectedOverflows.poll()) != null; ) {
          router.overflowed(dir);
        }
        router.afterRound();
        List<DirtyPath> batch = coalescer.drain();
        if (!batch.isEmpty()) {
          deliver(batch);
        }
      }
    } catch (ClosedWatchServiceException e) {
      // close() closed the service under us: the normal way out.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped(e);
    } catch (RuntimeException e) {
      stopped(e);
    }
  }

  /** The next key, or null when a deadline passed or a test injected work. */
  private WatchKey await() throws InterruptedException {
    if (!injectedOverflows.isEmpty()) {
      return null;
    }
    long next = Math.min(coalescer.nextDue(), router.nextRetry());
    try {
      if (next == Long.MAX_VALUE) {
        return service.take(); // nothing pending: sleep until the OS has news, no idle polling
      }
      long wait = next - ticker.read();
      return wait <= 0 ? service.poll() : service.poll(wait, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      if (wakeRequested.getAndSet(false)) {
        return null;
      }
      throw e;
    }
  }

  private void deliver(List<DirtyPath> batch) {
    try {
      listener.onChanges(batch);
    } catch (RuntimeException e) {
      log.error(
          "the watch listener failed on {} hints for {}; they are lost until the next rescan",
          batch.size(),
          root,
          e);
    }
  }

  private void stopped(Exception cause) {
    if (closed) {
      return;
    }
    log.error("watching {} stopped: {}", root, cause.toString(), cause);
    close();
    listener.onStopped(cause);
  }

  /** Directories watched now. */
  int watchedDirectories() {
    return registry.size();
  }

  /** The keys held now. */
  List<WatchKey> watchKeys() {
    return registry.keys();
  }

  boolean isRunning() {
    return thread.isAlive();
  }

  /**
   * Test seam: handles an OVERFLOW for each of {@code dirs} on the watcher thread in one round, as
   * if the JDK had signalled them. The thread is woken by an interrupt that {@link #await}
   * recognises as this.
   */
  void injectOverflow(String... dirs) {
    injectedOverflows.addAll(List.of(dirs));
    wakeRequested.set(true);
    thread.interrupt();
  }
}
