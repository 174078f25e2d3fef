package dev.scpsync.watch;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watcher's warnings: composed with the limit and the fix, logged, passed to the listener, and
 * throttled per kind to one a minute with a count of those held back, because an overflow storm
 * must be heard once, not a thousand times. Not thread-safe: used by the watcher thread (and by
 * {@link TreeWatcher#start} before that thread exists).
 */
final class WatchWarnings {
  static final Duration THROTTLE = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(TreeWatcher.class);

  private enum Kind {
    OVERFLOW,
    CANNOT_WATCH,
    ROOT_GONE
  }

  private record Gate(long openedAt, int held) {}

  private final WatchListener listener;
  private final InotifyLimits limits;
  private final Ticker ticker;
  private final Duration unwatchedRescan;
  private final Map<Kind, Gate> gates = new EnumMap<>(Kind.class);

  WatchWarnings(
      WatchListener listener, InotifyLimits limits, Ticker ticker, Duration unwatchedRescan) {
    this.listener = listener;
    this.limits = limits;
    this.ticker = ticker;
    this.unwatchedRescan = unwatchedRescan;
  }

  /** Events were lost below {@code dirs} (a minimal set); they are being rescanned. */
  void overflow(Collection<String> dirs) {
    listener.onOverflow(List.copyOf(dirs));
    warn(
        Kind.OVERFLOW,
        "file events were lost for "
            + describe(dirs)
            + " (event queue overflow); rescanning "
            + (dirs.contains("") ? "the whole tree" : "there")
            + ". If this repeats, "
            + limits.queueAdvice());
  }

  /** Directories could not be watched; they are rescanned periodically instead. */
  void cannotWatch(Map<String, IOException> failed) {
    Map.Entry<String, IOException> first = failed.entrySet().iterator().next();
    IOException cause = first.getValue();
    String fix =
        InotifyLimits.isWatchLimit(cause)
            ? limits.watchLimitAdvice() + ". The limit is shared by every watcher of this user"
            : "check the directory's permissions";
    warn(
        Kind.CANNOT_WATCH,
        "cannot watch "
            + describe(failed.keySet())
            + ": "
            + cause.getMessage()
            + "; changes there are found by a rescan every "
            + readable(unwatchedRescan)
            + " instead of at once. "
            + fix);
  }

  /** The watched root itself was deleted or unmounted. */
  void rootGone(Path root) {
    warn(Kind.ROOT_GONE, "the watched directory " + root + " is gone; nothing more can be seen");
  }

  private void warn(Kind kind, String message) {
    long now = ticker.read();
    Gate gate = gates.get(kind);
    if (gate != null && now - gate.openedAt() < THROTTLE.toNanos()) {
      gates.put(kind, new Gate(gate.openedAt(), gate.held() + 1));
      return;
    }
    if (gate != null && gate.held() > 0) {
      message += " (" + gate.held() + " more like this in the last minute)";
    }
    gates.put(kind, new Gate(now, 0));
    // Debug only: the listener tells the user (the watch prints it, JSON logs carry it as an
    // event); logging it as a warning as well printed every warning twice.
    log.debug(message);
    listener.onWarning(message);
  }

  private static String readable(Duration d) {
    return d.toMillis() < 1_000 ? d.toMillis() + " ms" : d.toSeconds() + " s";
  }

  private static String describe(Collection<String> dirs) {
    if (dirs.contains("")) {
      return "the whole tree";
    }
    Iterator<String> it = dirs.iterator();
    String first = "'" + it.next() + "'";
    return dirs.size() == 1 ? first : dirs.size() + " directories (" + first + ", ...)";
  }
}
