package dev.scpsync.watch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The Linux inotify limits a watcher runs into, read from {@code /proc/sys/fs/inotify}, and the
 * advice that goes with each. Where the files do not exist (not Linux) the advice is generic.
 * Immutable; reads the files on every call so that advice reflects a limit raised meanwhile.
 */
final class InotifyLimits {
  static final Path PROC = Path.of("/proc/sys/fs/inotify");

  /** The JDK's message when inotify_add_watch fails with ENOSPC (sun.nio.fs.LinuxWatchService). */
  private static final String WATCH_LIMIT_MESSAGE = "inotify watches";

  private final Path dir;

  InotifyLimits(Path dir) {
    this.dir = dir;
  }

  /** Whether a registration failed because the per-user watch limit is reached. */
  static boolean isWatchLimit(IOException e) {
    return e.getMessage() != null && e.getMessage().contains(WATCH_LIMIT_MESSAGE);
  }

  OptionalLong maxUserWatches() {
    return read("max_user_watches");
  }

  OptionalLong maxQueuedEvents() {
    return read("max_queued_events");
  }

  /**
   * What to do when the watch limit is reached; the limit is shared by all of a user's watchers.
   */
  String watchLimitAdvice() {
    return advice("max_user_watches", maxUserWatches(), 524_288, "watched directories");
  }

  /** What to do when events were lost because the kernel's event queue overflowed. */
  String queueAdvice() {
    return advice("max_queued_events", maxQueuedEvents(), 65_536, "queued events");
  }

  /** What to do when no watch service can be created at all. */
  String instanceAdvice() {
    return advice("max_user_instances", read("max_user_instances"), 1_024, "watchers per user");
  }

  private static String advice(String name, OptionalLong current, long floor, String what) {
    if (current.isEmpty()) {
      return "the operating system's limit on " + what + " was reached";
    }
    long now = current.getAsLong();
    // Raise by a clear step: creeping up one notch at a time means meeting the warning again.
    long suggested = Math.max(floor, now * 4);
    return "fs.inotify."
        + name
        + " = "
        + now
        + "; raise it with: sudo sysctl fs.inotify."
        + name
        + "="
        + suggested
        + " (persist it in /etc/sysctl.d/)";
  }

  private OptionalLong read(String name) {
    // A stream, not Files.readString: procfs reports size 0, and readString then returns only the
    // first byte ("1" for 16384).
    try (InputStream in = Files.newInputStream(dir.resolve(name))) {
      String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      return OptionalLong.of(Long.parseLong(text.trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
