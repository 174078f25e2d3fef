package dev.scpsync.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code on-synced} hook: a local command run when a file has reached every target its
 * placement puts it on. The command is an argument vector, started directly (never through a
 * shell, so no file name is ever parsed as shell syntax); the path, targets and placement come in
 * environment variables: {@code SCPSYNC_PATH} (relative to the source), {@code SCPSYNC_SOURCE},
 * {@code SCPSYNC_TARGETS} (space-separated names), {@code SCPSYNC_PLACEMENT} ({@code mirror},
 * {@code shard} or {@code balance}). Runs one at a time, in order, off the transfer threads; each run's end is a
 * {@code hook.on-synced} event (warn with the exit status when it fails).
 *
 * <p>Paths still waiting for some target are remembered up to {@link #MAX_WAITING}; beyond that the
 * oldest are forgotten (a target offline for long), which only skips their hook runs.
 */
final class SyncedHook implements Consumer<WatchEvent>, AutoCloseable {
  static final String EVENT = "hook.on-synced";
  static final int MAX_WAITING = 100_000;
  private static final Logger log = LoggerFactory.getLogger(SyncedHook.class);

  private final List<String> command;
  private final Supplier<Placement> placement;
  private final Path source;
  private final Consumer<WatchEvent> events;
  private final Map<String, Set<String>> reached = new LinkedHashMap<>();
  private final ExecutorService runner = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("on-synced").factory());

  SyncedHook(List<String> command, Supplier<Placement> placement, Path source, Consumer<WatchEvent> events) {
    this.command = List.copyOf(command);
    this.placement = placement;
    this.source = source;
    this.events = events;
  }

  @Override
  public void accept(WatchEvent e) {
    if (!e.event().equals(WatchEvent.FILE_UPLOADED) || e.path() == null) {
      return;
    }
    Placement now = placement.get();
    List<String> wanted = now.targetsFor(e.path());
    boolean complete;
    synchronized (reached) {
      Set<String> got = reached.computeIfAbsent(e.path(), p -> new HashSet<>());
      got.add(e.target());
      complete = got.containsAll(wanted);
      if (complete) {
        reached.remove(e.path());
      } else if (reached.size() > MAX_WAITING) {
        reached.remove(reached.keySet().iterator().next());
      }
    }
    if (complete) {
      runner.execute(() -> run(e.path(), wanted, now.mode()));
    }
  }

  private void run(String path, List<String> targets, String mode) {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    pb.environment().put("SCPSYNC_PATH", path);
    pb.environment().put("SCPSYNC_SOURCE", source.toString());
    pb.environment().put("SCPSYNC_TARGETS", String.join(" ", targets));
    pb.environment().put("SCPSYNC_PLACEMENT", mode);
    long start = System.nanoTime();
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
      int status = p.waitFor();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (!output.isEmpty()) {
        log.info("on-synced {}: {}", path, output);
      }
      events.accept(status == 0 ? WatchEvent.info(EVENT, null).path(path).durationMs(ms)
          : WatchEvent.warn(EVENT, null, "exit " + status).path(path).durationMs(ms));
    } catch (IOException e) {
      events.accept(WatchEvent.warn(EVENT, null, "could not run " + command.getFirst() + ": " + e.getMessage()).path(path));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    runner.shutdown();
    try {
      runner.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
