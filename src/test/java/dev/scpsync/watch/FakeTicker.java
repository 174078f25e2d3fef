package dev.scpsync.watch;

import java.time.Duration;

/** A ticker that moves only when told; starts at an arbitrary non-zero time. */
final class FakeTicker implements Ticker {
  private long nanos = 1_000_000_000L;

  @Override
  public long read() {
    return nanos;
  }

  void advance(Duration d) {
    nanos += d.toNanos();
  }

  void advanceMillis(long millis) {
    advance(Duration.ofMillis(millis));
  }
}
