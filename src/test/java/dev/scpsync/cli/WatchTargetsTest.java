package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scpsync watch SRC T1 T2}: every target gets every change through its own pipeline, a
 * target that is down holds up no other and catches up when back, a target that refuses us for
 * good is stopped instead of retried forever, and signals end the watch (twice: at once).
 */
class WatchTargetsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  @TempDir Path tmp;

  /** {@code scpsync watch SRC TARGET... --delete}, trusting and offering the keys of {@code servers}. */
  private WatchRun watch(Path src, List<String> targets, List<TestServer> servers) {
    return WatchRun.start(WatchRun.args(src, tmp.resolve("state"), targets, servers, "--delete", "--no-http"),
        targets.size());
  }

  private static int count(String text, String what) {
    return WatchRun.count(text, what);
  }

  @Test
  void everyTargetGetsEveryChangeAndOneThatIsDownHoldsUpNoOtherThenCatchesUp() throws Exception {
    try (TestServer scpOnly = TestServer.start(ServerKind.OPENSSH_SCP_ONLY, tmp.resolve("scp-only"));
        TestServer receiver = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("receiver"))) {
      Path src = Files.createDirectories(tmp.resolve("src"));
      Files.writeString(src.resolve("before.txt"), "there before\n");
      TestServer.Location a = scpOnly.location(tmp, "a");
      TestServer.Location b = receiver.location(tmp, "b");
      try (WatchRun watch = watch(src, List.of(scpOnly.target(a.remotePath()), receiver.target(b.remotePath())),
          List.of(scpOnly, receiver))) {
        Trees.assertSameTree(src, a.onDisk());
        Trees.assertSameTree(src, b.onDisk());
        assertThat(watch.out()).as("lines name their target").contains(scpOnly.target(a.remotePath()) + ": watching");

        Files.writeString(src.resolve("both.txt"), "to both\n");
        await().atMost(DEADLINE).untilAsserted(() -> {
          assertThat(a.onDisk().resolve("both.txt")).hasContent("to both");
          assertThat(b.onDisk().resolve("both.txt")).hasContent("to both");
        });

        scpOnly.openssh().stop();
        for (int i = 0; i < 5; i++) {
          Files.writeString(src.resolve("while-a-is-down-" + i + ".txt"), "change " + i + "\n");
          int n = i;
          await().atMost(DEADLINE).untilAsserted(() ->
              assertThat(b.onDisk().resolve("while-a-is-down-" + n + ".txt")).hasContent("change " + n));
        }
        Files.delete(src.resolve("before.txt"));
        await().atMost(DEADLINE).until(() -> !Files.exists(b.onDisk().resolve("before.txt")));
        await().atMost(DEADLINE).until(() -> watch.err().contains("reconnecting in"));
        assertThat(a.onDisk().resolve("while-a-is-down-0.txt")).as("a is down").doesNotExist();

        scpOnly.openssh().restart();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> Trees.assertSameTree(src, a.onDisk()));
        Trees.assertSameTree(src, b.onDisk());
        assertThat(watch.stop()).as(watch.toString()).isZero();
        assertThat(Trees.tempFiles(a.onDisk())).isEmpty();
        assertThat(Trees.tempFiles(b.onDisk())).isEmpty();
      }
    }
  }

  @Test
  void aTargetThatNoLongerAcceptsOurKeyIsStoppedNotRetriedWhileTheOthersCarryOn() throws Exception {
    try (TestServer revoking = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("revoking"));
        TestServer steady = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("steady"))) {
      Path src = Files.createDirectories(tmp.resolve("src"));
      TestServer.Location a = revoking.location(tmp, "a");
      TestServer.Location b = steady.location(tmp, "b");
      String revokedTarget = revoking.target(a.remotePath());
      try (WatchRun watch = watch(src, List.of(revokedTarget, steady.target(b.remotePath())),
          List.of(revoking, steady))) {
        Files.writeString(tmp.resolve("revoking/authorized_keys"), ""); // our key is revoked
        revoking.openssh().stop(); // ... and the session dropped
        revoking.openssh().restart();
        await().atMost(DEADLINE).until(() -> watch.err().contains("not retrying"));
        assertThat(watch.err()).contains(revokedTarget);

        Files.writeString(src.resolve("after.txt"), "still mirrored to the other\n");
        await().atMost(DEADLINE).untilAsserted(
            () -> assertThat(b.onDisk().resolve("after.txt")).hasContent("still mirrored to the other"));
        assertThat(count(watch.err(), "not retrying")).as("reported once, not retried").isEqualTo(1);

        assertThat(watch.stop()).as("a target was lost: " + watch).isEqualTo(ExitCodes.FAILED);
        assertThat(watch.err()).contains("stopped syncing to " + revokedTarget);
      }
    }
  }

  @Test
  void whenEveryTargetHasFailedForGoodTheWatchEndsByItself() throws Exception {
    try (TestServer revoking = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("revoking"))) {
      Path src = Files.createDirectories(tmp.resolve("src"));
      TestServer.Location a = revoking.location(tmp, "a");
      try (WatchRun watch = watch(src, List.of(revoking.target(a.remotePath())), List.of(revoking))) {
        Files.writeString(tmp.resolve("revoking/authorized_keys"), "");
        revoking.openssh().stop();
        revoking.openssh().restart();
        assertThat(watch.awaitExit()).as(watch.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(watch.err()).contains("not retrying");
      }
    }
  }

  @Test
  void aSecondSignalEndsTheWatchAtOnceEvenWhileItWaitsForAServer() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    // A server that accepts the connection and never says a word: the first connection waits for
    // its timeout (15 s), which is the work a first signal lets finish and a second cuts short.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread acceptor = Thread.ofVirtual().start(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (IOException closed) {
          // test over
        }
      });
      String java = ProcessHandle.current().info().command().orElseThrow();
      List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
          Main.class.getName(), "watch", src.toString(), "me@127.0.0.1:" + silent.getLocalPort() + ":/x",
          "--state-dir", tmp.resolve("state").toString(), "--no-agent", "-F", "/dev/null"));
      Path out = tmp.resolve("child.out");
      Path err = tmp.resolve("child.err");
      Process child = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      try {
        await().atMost(DEADLINE).until(() -> !accepted.isEmpty());
        child.destroy(); // SIGTERM: asks for a clean stop, which waits for the connection attempt
        await().atMost(DEADLINE).until(() -> Files.readString(err).contains("again to exit at once"));
        assertThat(child.isAlive()).isTrue();
        child.destroy(); // the second SIGTERM
        assertThat(child.waitFor(5, TimeUnit.SECONDS)).as("ended well before the 15 s connect timeout").isTrue();
        assertThat(child.exitValue()).isEqualTo(128 + 15);
        assertThat(Files.readString(err)).contains("exiting at once");
      } finally {
        child.destroyForcibly();
        silent.close();
        acceptor.join(5000);
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }

  @Test
  void aTargetDownAtStartStartsOfflineWhileTheOthersSyncAndCatchesUpWhenItComesUp() throws Exception {
    try (TestServer late = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("late"));
        TestServer up = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("up"))) {
      Path src = Files.createDirectories(tmp.resolve("src"));
      Files.writeString(src.resolve("first.txt"), "first\n");
      TestServer.Location a = late.location(tmp, "a");
      TestServer.Location b = up.location(tmp, "b");
      late.openssh().stop(); // down before the watch starts
      try (WatchRun watch = WatchRun.start(WatchRun.args(src, tmp.resolve("state"),
          List.of(late.target(a.remotePath()), up.target(b.remotePath())), List.of(late, up), "--delete", "--no-http"), 1)) {
        Trees.assertSameTree(src, b.onDisk());
        await().atMost(DEADLINE).until(() -> watch.err().contains(late.target(a.remotePath()) + ": ")
            && watch.err().contains("reconnecting in"));
        Files.writeString(src.resolve("second.txt"), "second\n");
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(b.onDisk().resolve("second.txt")).hasContent("second"));

        late.openssh().restart();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions() // the remote dir appears with the first reconcile
            .untilAsserted(() -> Trees.assertSameTree(src, a.onDisk()));
        assertThat(watch.stop()).as(watch.toString()).isZero();
      }
    }
  }

  @Test
  void withExitAfterAWatchThatEndsWithATargetBehindSaysSoAndFails() throws Exception {
    try (TestServer up = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("up"));
        ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int refused = closed.getLocalPort();
      closed.close(); // nothing listens there now: connection refused
      Path src = Files.createDirectories(tmp.resolve("src"));
      Files.writeString(src.resolve("a.txt"), "a\n");
      TestServer.Location b = up.location(tmp, "b");
      String down = "me@127.0.0.1:" + refused + ":/x";
      CliRun run = CliRun.of(WatchRun.args(src, tmp.resolve("state"), List.of(down, up.target(b.remotePath())),
          List.of(up), "--no-http", "--exit-after", "1s"));
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.FAILED);
      assertThat(run.err()).contains("not in sync when the watch ended: " + down);
      Trees.assertSameTree(src, b.onDisk());

      CliRun none = CliRun.of(WatchRun.args(src, tmp.resolve("state"), List.of(down), List.of(), "--no-http"));
      assertThat(none.exitCode()).as("no target reachable at all: " + none).isEqualTo(ExitCodes.CONNECT);
    }
  }

  @Test
  void theSameTargetTwiceIsAUsageError() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    CliRun run = CliRun.of("watch", src.toString(), "me@127.0.0.1:2222:/x", "sftp://me@127.0.0.1:2222/x",
        "--state-dir", tmp.resolve("state").toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("given twice");
  }
}
