package dev.scpsync.engine;

import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.TransferListener;
import java.util.function.LongSupplier;

/**
 * {@code --bwlimit}: a token bucket on the file content a transfer moves. Each transport reports
 * the bytes it moved through {@link TransferListener#bytes} on the thread that moves them (after
 * each write, part or acknowledged request), so making that call wait until the bucket allows it
 * slows the transfer itself, the same way for SFTP and SCP. The bucket holds a tenth of a second
 * of rate (at least 64 KiB), so the rate is smooth rather than bursty.
 *
 * <p>Counts file content, not SSH framing or protocol overhead (as rsync's {@code --bwlimit}).
 * One per transfer batch, shared by the threads of its channels: each takes its bytes from the
 * bucket under a lock, maybe running it into debt, and sleeps (outside the lock) until the rate
 * has paid for them and for all taken before them, so that the channels together keep to it.
 */
final class Throttle implements TransferListener {
  /** Waits; in tests a fake that only adds up. */
  interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final TransferListener next;
  private final long rate;
  private final long capacity;
  private final LongSupplier clock;
  private final Sleeper sleeper;
  private double tokens;
  private long last;

  Throttle(TransferListener next, long bytesPerSecond, LongSupplier nanoClock, Sleeper sleeper) {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("rate must be positive: " + bytesPerSecond);
    }
    this.next = next;
    this.rate = bytesPerSecond;
    this.capacity = Math.max(64 * 1024, bytesPerSecond / 10);
    this.clock = nanoClock;
    this.sleeper = sleeper;
    this.tokens = capacity;
    this.last = nanoClock.getAsLong();
  }

  /** {@code next}, limited to {@code bytesPerSecond}; {@code next} itself when the limit is 0. */
  static TransferListener limit(TransferListener next, long bytesPerSecond) {
    return bytesPerSecond <= 0 ? next
        : new Throttle(next, bytesPerSecond, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
  }

  @Override
  public void bytes(long count) {
    long wait;
    synchronized (this) {
      long now = clock.getAsLong();
      tokens = Math.min(capacity, tokens + (now - last) * (rate / 1e9));
      last = now;
      tokens -= count;
      wait = tokens < 0 ? (long) (-tokens * 1e9 / rate) : 0;
    }
    if (wait > 0) {
      try {
        sleeper.sleepNanos(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    next.bytes(count);
  }

  @Override
  public void done(FileTransfer file) {
    next.done(file);
  }

  @Override
  public void unverified(FileTransfer file) {
    next.unverified(file);
  }

  @Override
  public void digested(FileTransfer file, dev.scpsync.transport.FileDigest digest) {
    next.digested(file, digest);
  }

  @Override
  public void delta(FileTransfer file, long sent) {
    next.delta(file, sent);
  }

  @Override
  public void resumed(FileTransfer file, long bytes) {
    next.resumed(file, bytes);
  }

  @Override
  public void failed(FileTransfer file, Exception cause) {
    next.failed(file, cause);
  }
}
