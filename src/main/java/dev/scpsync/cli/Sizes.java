package dev.scpsync.cli;

import java.time.Duration;
import java.util.Locale;

/** Human-readable sizes, rates and durations for terminal output. */
final class Sizes {
  private Sizes() {}

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** See {@link dev.scpsync.config.ByteSizes#parse}: one grammar for flags and the config file. */
  static long parse(String text) {
    return dev.scpsync.config.ByteSizes.parse(text);
  }


  static String rate(long bytes, Duration elapsed) {
    double seconds = Math.max(elapsed.toNanos() / 1e9, 1e-3);
    return bytes((long) (bytes / seconds)) + "/s";
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9);
  }

  static String clock(long seconds) {
    return seconds >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }
}
