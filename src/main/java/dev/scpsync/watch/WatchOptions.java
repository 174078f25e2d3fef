package dev.scpsync.watch;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link TreeWatcher} turns events into hints; immutable, validated on construction.
 *
 * @param debounce the quiet window: a path is reported once no event touched it for this long
 *     ({@code --debounce}, default 20 ms)
 * @param settle how long a file that is still being written must stay unchanged (size and mtime)
 *     before it is reported ({@code --settle}, default 500 ms; zero turns the rule off)
 * @param maxHold the longest a changed path is held back, so that a file that never stops changing
 *     (a log) is still reported this often (default 10 s)
 * @param unwatchedRescan how often a subtree that could not be watched (the watch limit was
 *     reached) is retried and, failing that, reported for a rescan (default 10 s)
 * @param excludes paths neither watched nor reported
 */
public record WatchOptions(
    Duration debounce,
    Duration settle,
    Duration maxHold,
    Duration unwatchedRescan,
    ExcludeFilter excludes) {

  public WatchOptions {
    Objects.requireNonNull(debounce, "debounce");
    Objects.requireNonNull(settle, "settle");
    Objects.requireNonNull(maxHold, "maxHold");
    Objects.requireNonNull(unwatchedRescan, "unwatchedRescan");
    Objects.requireNonNull(excludes, "excludes");
    if (debounce.isNegative() || settle.isNegative()) {
      throw new IllegalArgumentException(
          "debounce and settle must not be negative: " + debounce + ", " + settle);
    }
    if (maxHold.compareTo(debounce) < 0) {
      throw new IllegalArgumentException(
          "maxHold (" + maxHold + ") must not be shorter than debounce (" + debounce + ")");
    }
    if (unwatchedRescan.isNegative() || unwatchedRescan.isZero()) {
      throw new IllegalArgumentException("unwatchedRescan must be positive: " + unwatchedRescan);
    }
  }

  /** 20 ms debounce, 500 ms settle, 10 s max hold, 10 s unwatched rescan, nothing excluded. */
  public static WatchOptions defaults() {
    return new WatchOptions(
        Duration.ofMillis(20),
        Duration.ofMillis(500),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        ExcludeFilter.none());
  }

  public WatchOptions withDebounce(Duration value) {
    return new WatchOptions(value, settle, maxHold, unwatchedRescan, excludes);
  }

  public WatchOptions withSettle(Duration value) {
    return new WatchOptions(debounce, value, maxHold, unwatchedRescan, excludes);
  }

  public WatchOptions withMaxHold(Duration value) {
    return new WatchOptions(debounce, settle, value, unwatchedRescan, excludes);
  }

  public WatchOptions withUnwatchedRescan(Duration value) {
    return new WatchOptions(debounce, settle, maxHold, value, excludes);
  }

  public WatchOptions withExcludes(ExcludeFilter value) {
    return new WatchOptions(debounce, settle, maxHold, unwatchedRescan, value);
  }
}
