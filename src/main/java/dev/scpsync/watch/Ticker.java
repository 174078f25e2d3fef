package dev.scpsync.watch;

/**
 * A monotonic nanosecond clock, injected so that debounce and settle tests run on a fake clock
 * without sleeping (Caffeine's {@code Ticker}). Not wall time: only differences mean anything.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
interface Ticker {
  long read();

  static Ticker system() {
    return System::nanoTime;
  }
}
