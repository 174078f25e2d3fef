package dev.scpsync.cli;

import dev.scpsync.config.Config;
import dev.scpsync.engine.Placement;
import dev.scpsync.engine.WatchJob;
import dev.scpsync.engine.WatchTarget;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reloads {@code run}'s config on SIGHUP and when the file changes (its size or mtime, looked at
 * once a second): a valid new config's targets and placement replace the running ones ({@link
 * WatchJob#reconfigure}); an invalid one is reported with its location and the running config
 * stays. Other settings (source, excludes, transfer, watch, monitor, ssh, hooks) take a restart,
 * and a reload that changes them says so.
 */
final class ConfigReloader implements AutoCloseable {
  private static final Duration POLL = Duration.ofSeconds(1);

  private final Path file;
  private final WatchJob job;
  private final PrintWriter err;
  private final Function<Config, List<WatchTarget>> targets;
  private Config current;
  private Object stamp;
  private final Signals hangup;
  private final Thread poller;

  ConfigReloader(Path file, Config current, WatchJob job, PrintWriter err, Function<Config, List<WatchTarget>> targets) {
    this.file = file;
    this.current = current;
    this.job = job;
    this.err = err;
    this.targets = targets;
    this.stamp = stamp();
    this.hangup = Signals.onHangup(() -> reload("SIGHUP"));
    this.poller = Thread.ofVirtual().name("config-poller").start(this::poll);
  }

  private void poll() {
    try {
      while (true) {
        Thread.sleep(POLL);
        if (!Objects.equals(stamp(), stamp)) {
          reload("the file changed");
        }
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  private Object stamp() {
    try {
      FileTime mtime = Files.getLastModifiedTime(file);
      return List.of(mtime, Files.size(file));
    } catch (IOException e) {
      return null;
    }
  }

  synchronized void reload(String why) {
    stamp = stamp();
    Config next;
    List<WatchTarget> wanted;
    Placement placement;
    try {
      next = RunCommand.load(file);
      wanted = targets.apply(next);
      placement = RunCommand.placement(next, wanted.stream().map(WatchTarget::name).toList());
    } catch (ErrorReporter.UsageException e) {
      say("error: not reloaded (" + why + "), the running config stays: " + e.getMessage());
      return;
    }
    if (!next.withoutTargets().equals(current.withoutTargets())) {
      say("warning: " + file + ": only targets and placement are reloaded; restart for the other changes");
    }
    job.reconfigure(wanted, placement);
    Set<String> before = new TreeSet<>(current.targets().stream().map(Config.TargetConfig::name).toList());
    Set<String> after = new TreeSet<>(next.targets().stream().map(Config.TargetConfig::name).toList());
    List<String> added = new ArrayList<>(after);
    added.removeAll(before);
    List<String> removed = new ArrayList<>(before);
    removed.removeAll(after);
    say("reloaded " + file + " (" + why + "): " + after.size() + " target(s)"
        + (added.isEmpty() ? "" : ", added " + String.join(", ", added))
        + (removed.isEmpty() ? "" : ", removed " + String.join(", ", removed)));
    current = next;
  }

  private void say(String line) {
    err.println("scpsync: " + line);
    err.flush();
  }

  @Override
  public void close() throws InterruptedException {
    poller.interrupt();
    poller.join(POLL.toMillis() * 2);
    hangup.close();
  }
}
