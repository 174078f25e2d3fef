package dev.scpsync.cli;

import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.Processes;
import dev.scpsync.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code scpsync watch} in a child JVM of its own, for what only a process can show: signals, and
 * the kernel's inotify queue of a process that is not reading it. Output goes to files in a scratch
 * directory. {@link #close} kills the child if the test did not end it.
 */
final class WatchChild implements AutoCloseable {
  private static final Duration START_DEADLINE = Duration.ofSeconds(120);

  private final Process process;
  private final Path out;
  private final Path err;

  private WatchChild(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /** Starts the child and returns once it watches (the initial reconcile is done). */
  static WatchChild start(TestServer target, Path src, String remotePath, Path scratch, String... extra)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    command.addAll(CliRun.args("watch", src, target.target(remotePath), target.cliOptions(),
        "--state-dir", scratch.resolve("state"), List.of(extra)));
    Path out = scratch.resolve("child.out");
    Path err = scratch.resolve("child.err");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    WatchChild child = new WatchChild(process, out, err);
    try {
      await().atMost(START_DEADLINE).until(() -> child.out().contains("watching for changes") || !process.isAlive());
      if (!process.isAlive()) {
        throw new AssertionError("the watch did not start: " + child);
      }
    } catch (RuntimeException | Error e) {
      child.close();
      throw e;
    }
    return child;
  }

  String out() {
    return read(out);
  }

  String err() {
    return read(err);
  }

  /** Freezes the whole process (SIGSTOP): no thread of it runs, not even the JDK's inotify reader. */
  void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Lets a frozen process run again (SIGCONT). */
  void thaw() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Processes.runOk(List.of("kill", "-" + name, Long.toString(process.pid())));
  }

  /** Sends SIGTERM, as a service manager would, and returns the exit code. */
  int terminate(Duration deadline) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the watch did not end within " + deadline + " of SIGTERM: " + this);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public String toString() {
    return "pid " + process.pid() + (process.isAlive() ? "" : ", exit " + process.exitValue())
        + "\n--- out\n" + out() + "--- err\n" + err();
  }
}
