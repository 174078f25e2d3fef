package dev.scpsync.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Waits out the backoff before a lost target's next reconnect attempt, and ends the wait early
 * when a heartbeat probe (a plain TCP connect, no SSH) finds the target's SSH port accepting
 * connections again: a server restarted after a long outage is caught up within a second or so,
 * not after the rest of a backoff step of up to 30 s.
 *
 * <p>A probe can only tell "closed" from "open". When the port is already open as the wait begins
 * (the server answers but SSH fails: overloaded, misconfigured), probing could not tell anything
 * new and would turn the backoff into a retry a second; so then the wait runs its full length.
 */
final class ReconnectWait {
  /** Says whether the target's SSH port accepts a TCP connection now; bounded in time. */
  @FunctionalInterface
  interface Probe {
    boolean reachable();

    Probe NONE = () -> false;
  }

  /** How often the port is probed while waiting. */
  static final Duration PROBE_EVERY = Duration.ofSeconds(1);
  private static final Duration SLICE = Duration.ofMillis(100);
  private static final int CONNECT_TIMEOUT_MS = 1000;

  private final Backoff backoff;
  private final Probe probe;
  private final BooleanSupplier stopping;

  ReconnectWait(Backoff backoff, Probe probe, BooleanSupplier stopping) {
    this.backoff = backoff;
    this.probe = probe;
    this.stopping = stopping;
  }

  /** A probe that opens (and at once closes) a TCP connection to {@code address}; none for empty. */
  static Probe tcp(Optional<InetSocketAddress> address) {
    if (address.isEmpty()) {
      return Probe.NONE;
    }
    String host = address.get().getHostString();
    int port = address.get().getPort();
    return () -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
        return true;
      } catch (IOException | IllegalArgumentException | SecurityException e) {
        return false;
      }
    };
  }

  /**
   * Waits {@code delay}, in slices so that a stop request ends it promptly.
   *
   * @return true when a probe found the port open again before the delay was over
   */
  boolean await(Duration delay) throws InterruptedException {
    boolean probing = delay.compareTo(PROBE_EVERY) > 0 && !probe.reachable();
    Duration sinceProbe = Duration.ZERO;
    for (Duration left = delay; !stopping.getAsBoolean() && left.isPositive(); ) {
      Duration step = left.compareTo(SLICE) < 0 ? left : SLICE;
      backoff.sleep(step);
      left = left.minus(step);
      sinceProbe = sinceProbe.plus(step);
      if (probing && left.isPositive() && sinceProbe.compareTo(PROBE_EVERY) >= 0) {
        sinceProbe = Duration.ZERO;
        long began = System.nanoTime();
        if (probe.reachable()) {
          return true;
        }
        // A probe into a black hole waits out its connect timeout: that time is part of the wait.
        left = left.minus(Duration.ofNanos(System.nanoTime() - began));
      }
    }
    return false;
  }
}
