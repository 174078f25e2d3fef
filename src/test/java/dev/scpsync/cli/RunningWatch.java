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
 * {@code scpsync watch} of one or more targets on a thread of its own, in-process, with its HTTP
 * server on a free loopback port; {@link #url()} is the dashboard address it printed.
 */
final class RunningWatch implements AutoCloseable {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final Thread thread;
  private final URI url;
  private volatile int exitCode = -1;

  /**
   * Starts the watch and returns once every target has had its first reconcile.
   *
   * @param targets target specs, one per server, in the same order
   * @param extra further options, e.g. {@code --http-token}; {@code --http ADDR:PORT} replaces the free port
   */
  RunningWatch(Path src, Path stateDir, List<String> targets, List<TestServer> servers, String... extra) {
    List<Object> parts = new ArrayList<>(List.of("watch", src));
    parts.addAll(targets);
    for (TestServer s : servers) {
      parts.addAll(List.of("--known-hosts", s.knownHosts(), "-i", s.userKey()));
    }
    parts.addAll(List.of("--no-agent", "-F", "/dev/null", "--state-dir", stateDir, "--status", "never"));
    if (!List.of(extra).contains("--http")) {
      parts.addAll(List.of("--http", "127.0.0.1:0"));
    }
    parts.addAll(List.of(extra));
    List<String> args = CliRun.args(parts.toArray());
    thread = Thread.ofPlatform().name("watch-under-test").start(() -> exitCode =
        Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true)));
    await().atMost(DEADLINE).until(() -> count(out.toString(), "watching for changes") == targets.size() || !thread.isAlive());
    assertThat(thread.isAlive()).as("the watch started: %s", this).isTrue();
    Matcher m = Pattern.compile("dashboard: (http://\\S+)").matcher(out.toString());
    assertThat(m.find()).as("the dashboard URL is printed: %s", this).isTrue();
    url = URI.create(m.group(1));
  }

  private static int count(String text, String what) {
    return text.split(Pattern.quote(what), -1).length - 1;
  }

  /** The dashboard, as printed on the {@code dashboard:} line. */
  URI url() {
    return url;
  }

  @Override
  public void close() throws InterruptedException {
    thread.interrupt();
    thread.join(DEADLINE.toMillis());
    assertThat(thread.isAlive()).as("the watch stopped: %s", this).isFalse();
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
  }
}
