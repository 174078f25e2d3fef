package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scpsync watch} running in-process on its own thread, as it would in a terminal, with its
 * output captured. {@link #close} stops it if the test did not.
 */
final class WatchRun implements AutoCloseable {
  /** The initial reconcile of a big tree on a loaded machine takes a while. */
  private static final Duration START_DEADLINE = Duration.ofSeconds(120);

  private static final Duration STOP_DEADLINE = Duration.ofSeconds(20);

  /** One batch's line; a target prefix may come before it. */
  private static final Pattern SYNCED = Pattern.compile("synced (\\d+) files \\(");
  private static final Pattern RENAMED = Pattern.compile("synced .*, (\\d+) renamed in ");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final Thread thread;
  private volatile int exitCode = -1;

  private WatchRun(List<String> args) {
    thread = Thread.ofPlatform().name("watch-under-test").start(() -> exitCode =
        Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true)));
  }

  /**
   * Starts {@code scpsync watch SRC TARGET --state-dir STATE EXTRA...} against a test server and
   * returns once it watches (the initial reconcile is done).
   */
  static WatchRun start(TestServer target, Path src, String remotePath, Path stateDir, String... extra) {
    return start(CliRun.args("watch", src, target.target(remotePath), target.cliOptions(), "--state-dir", stateDir,
        List.of(extra)), 1);
  }

  /** Starts a command line that watches {@code targets} targets; returns once each one watches. */
  static WatchRun start(List<String> args, int targets) {
    WatchRun run = new WatchRun(args);
    await().atMost(START_DEADLINE).until(() -> count(run.out(), "watching for changes") >= targets || !run.thread.isAlive());
    assertThat(run.thread.isAlive()).as("the watch started: %s", run).isTrue();
    return run;
  }

  /**
   * {@code watch SRC TARGET... EXTRA...} trusting and offering the keys of {@code servers} (in the
   * order of the targets), without agent or user ssh_config, with the given state.
   */
  static List<String> args(Path src, Path stateDir, List<String> targets, List<TestServer> servers, String... extra) {
    List<Object> parts = new ArrayList<>(List.of("watch", src));
    parts.addAll(targets);
    for (TestServer s : servers) {
      parts.addAll(List.of("--known-hosts", s.knownHosts(), "-i", s.userKey()));
    }
    parts.addAll(List.of("--no-agent", "-F", "/dev/null", "--state-dir", stateDir));
    parts.addAll(List.of(extra));
    return CliRun.args(parts.toArray());
  }

  /** The dashboard's URL, from the {@code dashboard:} line the watch printed. */
  URI dashboardUrl() {
    Matcher m = Pattern.compile("dashboard: (http://\\S+)").matcher(out());
    assertThat(m.find()).as("the dashboard URL is printed: %s", this).isTrue();
    return URI.create(m.group(1));
  }

  static int count(String text, String what) {
    return text.split(Pattern.quote(what), -1).length - 1;
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }

  /** Files sent by the batches reported so far (the initial reconcile not counted). */
  int filesSynced() {
    return filesSyncedIn(out());
  }

  /** Remote renames done by the batches reported so far (the initial reconcile not counted). */
  int renamed() {
    return sum(RENAMED, out());
  }

  /** Files sent by the batches reported in a piece of watch output. */
  static int filesSyncedIn(String output) {
    return sum(SYNCED, output);
  }

  private static int sum(Pattern counter, String output) {
    int total = 0;
    for (Matcher m = counter.matcher(output); m.find(); ) {
      total += Integer.parseInt(m.group(1));
    }
    return total;
  }

  /** Interrupts the watch as a signal would stop it, and returns its exit code. */
  int stop() throws InterruptedException {
    thread.interrupt();
    return awaitExit();
  }

  /** Waits for the watch to end by itself and returns its exit code. */
  int awaitExit() throws InterruptedException {
    thread.join(STOP_DEADLINE.toMillis());
    assertThat(thread.isAlive()).as("the watch stopped: %s", this).isFalse();
    return exitCode;
  }

  @Override
  public void close() {
    if (thread.isAlive()) {
      try {
        stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
  }
}
