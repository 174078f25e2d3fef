package dev.scpsync.engine;

import dev.scpsync.transport.RemoteCommand;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.SshConnector;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A target's {@code after-sync} command (e.g. {@code systemctl reload nginx}): run on the target
 * over SSH once its changes have converged and no new ones came for a debounce window, so a burst
 * of changes costs one run. Its exit status and output become a {@code hook.after-sync} event; a
 * failing command is reported, never retried (the next converged batch runs it again).
 *
 * <p>Thread-safe; runs on its own thread, so a slow command never holds up the target's transfers.
 */
final class AfterSyncHook implements AutoCloseable {
  static final String EVENT = "hook.after-sync";
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private final SshConnector connector;
  private final TargetSpec target;
  private final String name;
  private final String command;
  private final Duration debounce;
  private final Consumer<WatchEvent> events;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("after-sync").factory());
  private ScheduledFuture<?> pending;

  AfterSyncHook(SshConnector connector, TargetSpec target, String name, String command, Duration debounce,
      Consumer<WatchEvent> events) {
    this.connector = connector;
    this.target = target;
    this.name = name;
    this.command = command;
    this.debounce = debounce;
    this.events = events;
  }

  /** Changes converged on the target: run the command after the debounce window, unless more come. */
  synchronized void converged() {
    if (pending != null) {
      pending.cancel(false);
    }
    pending = timer.schedule(this::runNow, debounce.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void runNow() {
    long start = System.nanoTime();
    try {
      RemoteCommand.Result r = RemoteCommand.run(connector, target, command, TIMEOUT);
      long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
      if (r.ok()) {
        events.accept(WatchEvent.info(EVENT, name).path(command).durationMs(ms));
      } else {
        String status = r.exitStatus() == null ? "no exit status (killed or timed out)" : "exit " + r.exitStatus();
        events.accept(WatchEvent.warn(EVENT, name, status + (r.output().isEmpty() ? "" : ": " + oneLine(r.output())))
            .path(command).durationMs(ms));
      }
    } catch (IOException | RuntimeException e) {
      events.accept(WatchEvent.warn(EVENT, name, "could not run: " + e.getMessage()).path(command));
    }
  }

  private static String oneLine(String output) {
    String flat = output.replaceAll("\\s*\\R\\s*", " | ");
    return flat.length() <= 500 ? flat : "..." + flat.substring(flat.length() - 500);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
