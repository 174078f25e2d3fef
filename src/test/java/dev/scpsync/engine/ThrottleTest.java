package dev.scpsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.transport.TransferListener;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The --bwlimit token bucket, on a fake clock that only moves when the throttle sleeps. */
class ThrottleTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final AtomicLong slept = new AtomicLong();
  private final AtomicLong passed = new AtomicLong();
  private final TransferListener counting = new TransferListener() {
    @Override
    public void bytes(long count) {
      passed.addAndGet(count);
    }
  };

  private Throttle throttle(long rate) {
    return new Throttle(counting, rate, now::get, nanos -> {
      slept.addAndGet(nanos);
      now.addAndGet(nanos);
    });
  }

  @Test
  void tenMebibytesAtOneMebibyteASecondTakeTenSecondsLessTheInitialBurst() {
    Throttle t = throttle(1 << 20);
    for (int i = 0; i < 160; i++) {
      t.bytes(64 * 1024);
    }
    assertThat(passed.get()).isEqualTo(10L << 20);
    double seconds = slept.get() / 1e9;
    // The bucket starts full with 0.1 s worth (102.4 KiB): that much goes through without a wait.
    assertThat(seconds).isBetween(10 - 0.1 - 0.01, 10 - 0.1 + 0.01);
  }

  @Test
  void idleTimeRefillsTheBucketButNeverBeyondItsCapacity() {
    Throttle t = throttle(1 << 20);
    now.addAndGet(60_000_000_000L); // a minute idle
    t.bytes(200 * 1024);
    // Only the capacity (102.4 KiB) was saved up: the rest waits at the rate.
    assertThat(slept.get() / 1e9).isBetween((200 - 102.4) / 1024 - 0.001, (200 - 102.4) / 1024 + 0.001);
  }

  @Test
  void noLimitIsNoWrapperAndANonPositiveRateIsRefused() {
    assertThat(Throttle.limit(counting, 0)).isSameAs(counting);
    assertThatThrownBy(() -> new Throttle(counting, -1, now::get, n -> { })).isInstanceOf(IllegalArgumentException.class);
  }
}
