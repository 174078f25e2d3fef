package dev.scpsync.watch;

import dev.scpsync.tree.TreePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Turns the JDK's per-directory watch events into registry updates and coalescer input: a new
 * directory is watched (with everything already inside it) and reported as a subtree, a deleted or
 * moved-away directory is forgotten and reported as a subtree, lost events (OVERFLOW) re-walk and
 * report the affected subtree, and directories that could not be watched are retried and reported
 * for a rescan every {@code unwatchedRescan}.
 *
 * <p>Not thread-safe: owned by the watcher thread.
 */
final class EventRouter {
  private final Path root;
  private final ExcludeFilter excludes;
  private final WatchRegistry registry;
  private final ChangeCoalescer coalescer;
  private final WatchWarnings warnings;
  private final Ticker ticker;
  private final long unwatchedRescan;
  private final TreeSet<String> overflowed = new TreeSet<>();
  private long nextRetry = Long.MAX_VALUE;

  EventRouter(
      Path root,
      WatchOptions options,
      WatchRegistry registry,
      ChangeCoalescer coalescer,
      WatchWarnings warnings,
      Ticker ticker) {
    this.root = root;
    this.excludes = options.excludes();
    this.registry = registry;
    this.coalescer = coalescer;
    this.warnings = warnings;
    this.ticker = ticker;
    this.unwatchedRescan = options.unwatchedRescan().toNanos();
  }

  /** Handles the events of one signalled key and re-arms it. */
  void handle(WatchKey key) {
    String dir = registry.dirOf(key);
    List<WatchEvent<?>> events = key.pollEvents();
    boolean valid = key.reset();
    if (dir == null) {
      return; // forgotten (moved or deleted); the rescan of its subtree covers these events
    }
    for (WatchEvent<?> event : events) {
      WatchEvent.Kind<?> kind = event.kind();
      if (kind == StandardWatchEventKinds.OVERFLOW) {
        overflowed.add(dir);
        continue;
      }
      String path = TreePaths.join(dir, event.context().toString());
      if (kind == StandardWatchEventKinds.ENTRY_CREATE) {
        created(path);
      } else if (kind == StandardWatchEventKinds.ENTRY_DELETE) {
        deleted(path);
      } else {
        modified(path);
      }
    }
    if (!valid) {
      registry.forget(key);
      if (dir.isEmpty()) {
        warnings.rootGone(root);
        coalescer.rescan("", false);
      }
    }
  }

  /** Events were lost for {@code dir}: the JDK's OVERFLOW, or one injected by a test. */
  void overflowed(String dir) {
    overflowed.add(dir);
  }

  /**
   * Work done once per round of keys rather than per event: one re-walk and one warning however
   * many keys overflowed (an inotify queue overflow signals every key at once), and the periodic
   * retry of unwatched directories.
   */
  void afterRound() {
    if (!overflowed.isEmpty()) {
      List<String> dirs = outermost(overflowed);
      overflowed.clear();
      warnings.overflow(dirs);
      for (String dir : dirs) {
        register(dir); // directories created while events were lost need their watches too
        coalescer.rescan(dir, false);
      }
    }
    if (registry.hasUnwatched() && ticker.read() >= nextRetry) {
      nextRetry = Long.MAX_VALUE;
      for (String dir : registry.takeUnwatched()) {
        register(dir);
        coalescer.rescan(dir, false);
      }
    }
  }

  /** The ticker time of the next retry of unwatched directories, or Long.MAX_VALUE. */
  long nextRetry() {
    return nextRetry;
  }

  /** Watches {@code dir} and below; warns about and reports what could not be watched. */
  void register(String dir) {
    WatchRegistry.Outcome outcome;
    try {
      outcome = registry.registerTree(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot walk " + root.resolve(dir), e);
    }
    for (String old : outcome.moved()) {
      coalescer.rescan(old, false);
    }
    if (!outcome.failed().isEmpty()) {
      warnings.cannotWatch(outcome.failed());
      for (String failed : outcome.failed().keySet()) {
        coalescer.rescan(failed, false);
      }
      if (nextRetry == Long.MAX_VALUE) {
        nextRetry = ticker.read() + unwatchedRescan;
      }
    }
  }

  private void created(String path) {
    if (Files.isDirectory(root.resolve(path), LinkOption.NOFOLLOW_LINKS)) {
      if (!excludes.excludes(path, true)) {
        register(path);
        coalescer.rescan(path, true);
      }
    } else if (!excludes.excludes(path, false)) {
      coalescer.change(path, true);
    }
  }

  private void deleted(String path) {
    if (registry.isDirectory(path)) {
      registry.forgetTree(path);
      coalescer.rescan(path, false);
    } else if (!excludes.excludes(path, false)) {
      // Either a file or an excluded directory: the type is gone with the path. A stray hint for
      // an excluded directory costs the consumer one stat; a dropped deletion would cost a file.
      coalescer.change(path, false);
    }
  }

  private void modified(String path) {
    if (registry.isDirectory(path) || !isExcluded(path)) {
      coalescer.change(path, false);
    }
  }

  private boolean isExcluded(String path) {
    boolean asFile = excludes.excludes(path, false);
    boolean asDirectory = excludes.excludes(path, true);
    if (asFile == asDirectory) {
      return asFile; // the common case needs no stat
    }
    return Files.isDirectory(root.resolve(path), LinkOption.NOFOLLOW_LINKS) ? asDirectory : asFile;
  }

  /** The directories of a set that have no ancestor in it, in order. */
  static List<String> outermost(TreeSet<String> dirs) {
    List<String> result = new ArrayList<>();
    for (String dir : dirs) {
      if (!hasAncestorIn(dir, dirs)) {
        result.add(dir);
      }
    }
    return result;
  }

  private static boolean hasAncestorIn(String dir, TreeSet<String> dirs) {
    while (!dir.isEmpty()) {
      dir = TreePaths.parent(dir);
      if (dirs.contains(dir)) {
        return true;
      }
    }
    return false;
  }
}
