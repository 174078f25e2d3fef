package dev.scpsync.engine;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Delays between reconnect attempts: exponential (doubling from {@code initial} up to {@code max})
 * with jitter, so that many watchers cut off by the same outage do not all knock again at the same
 * instant. Each delay is drawn uniformly from the upper half of the current step, so it never
 * collapses to zero. Clock-free: the caller sleeps through the injected {@link Sleeper}, which is
 * how tests run a long outage in no time.
 *
 * <p>Not thread-safe: one per reconnect loop.
 */
public final class Backoff {
  /** Waits for a delay; interruptible, so that a stop request ends a reconnect loop at once. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration delay) throws InterruptedException;

    Sleeper SYSTEM = delay -> Thread.sleep(delay);
  }

  private final Duration initial;
  private final Duration max;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private int attempt;

  public Backoff(Duration initial, Duration max, Sleeper sleeper, DoubleSupplier random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max: " + initial + ", " + max);
    }
    this.initial = initial;
    this.max = max;
    this.sleeper = sleeper;
    this.random = random;
  }

  /** 250 ms doubling up to 30 s, real sleeps, real randomness. */
  public static Backoff defaults() {
    return new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), Sleeper.SYSTEM,
        () -> ThreadLocalRandom.current().nextDouble());
  }

  /** The delay before the next attempt; each call doubles the step until it reaches max. */
  public Duration next() {
    long step = initial.toNanos() << Math.min(attempt, 30);
    if (step <= 0 || step > max.toNanos()) {
      step = max.toNanos();
    }
    attempt++;
    return Duration.ofNanos(step / 2 + (long) (random.getAsDouble() * (step / 2)));
  }

  /** Sleeps for {@code delay} with the injected sleeper. */
  public void sleep(Duration delay) throws InterruptedException {
    sleeper.sleep(delay);
  }

  /** Starts again from {@code initial}: the connection is back. */
  public void reset() {
    attempt = 0;
  }
}
