package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scpsync watch} in-process against a real OpenSSH SFTP server: every local change shows up
 * remotely, a moved directory is one remote rename, a dropped connection is recovered, and the
 * watch ends cleanly with exit code 0.
 */
class WatchCommandTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @TempDir static Path shared;
  private static TestServer server;

  @TempDir Path tmp;

  @BeforeAll
  static void startServer() throws Exception {
    server = TestServer.start(ServerKind.OPENSSH_SFTP, shared.resolve("sftp"));
  }

  @AfterAll
  static void stopServer() throws IOException {
    server.close();
  }

  private WatchRun watch(TestServer target, Path src, String remotePath, String... extra) {
    return WatchRun.start(target, src, remotePath, tmp.resolve("state"), extra);
  }

  @Test
  void createModifyDeleteAndADeepBurstAllReachTheRemote() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("before.txt"), "there before the watch\n");
    TestServer.Location remote = server.location(tmp, "dest");
    try (WatchRun watch = watch(server, src, remote.remotePath(), "--delete")) {
      assertThat(remote.onDisk().resolve("before.txt")).as("initial reconcile").hasContent("there before the watch");

      Files.writeString(src.resolve("new.txt"), "hello\n");
      await().atMost(DEADLINE).untilAsserted(() -> assertThat(remote.onDisk().resolve("new.txt")).hasContent("hello"));

      Files.writeString(src.resolve("new.txt"), "hello again, longer\n");
      await().atMost(DEADLINE).untilAsserted(
          () -> assertThat(remote.onDisk().resolve("new.txt")).hasContent("hello again, longer"));

      Files.delete(src.resolve("before.txt"));
      await().atMost(DEADLINE).until(() -> !Files.exists(remote.onDisk().resolve("before.txt")));

      Path deep = Files.createDirectories(src.resolve("a/b/c/d"));
      Files.writeString(deep.resolve("f"), "deep\n");
      await().atMost(DEADLINE).untilAsserted(() -> assertThat(remote.onDisk().resolve("a/b/c/d/f")).hasContent("deep"));

      await().atMost(DEADLINE).untilAsserted(() -> Trees.assertSameTree(src, remote.onDisk()));
      assertThat(watch.out()).containsPattern("synced \\d+ files \\(.*\\), \\d+ deleted, \\d+ renamed in \\d+ ms");
      assertThat(watch.stop()).as(watch.toString()).isZero();
      assertThat(Trees.tempFiles(remote.onDisk())).isEmpty();
    }
  }

  @Test
  void aMovedDirectoryOf200FilesIsOneRemoteRenameWithNoDataSent() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path photos = Files.createDirectories(src.resolve("photos"));
    for (int i = 0; i < 200; i++) {
      Files.writeString(photos.resolve("img-" + i + ".txt"), "image " + i + "\n");
    }
    TestServer.Location remote = server.location(tmp, "dest");
    try (WatchRun watch = watch(server, src, remote.remotePath(), "--delete")) {
      Path before = remote.onDisk().resolve("photos/img-7.txt");
      assertThat(before).as("initial reconcile").hasContent("image 7");
      Object inode = Files.getAttribute(before, "unix:ino");

      Files.createDirectories(src.resolve("archive"));
      Files.move(photos, src.resolve("archive/photos-2024"));
      Path after = remote.onDisk().resolve("archive/photos-2024/img-7.txt");
      await().atMost(DEADLINE).until(() -> Files.exists(after) && !Files.exists(remote.onDisk().resolve("photos")));
      await().atMost(DEADLINE).untilAsserted(() -> Trees.assertSameTree(src, remote.onDisk()));

      assertThat(Files.getAttribute(after, "unix:ino")).as("renamed, not sent again").isEqualTo(inode);
      assertThat(watch.out()).contains("1 renamed").doesNotContainPattern("synced [1-9]\\d* files");
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  @Test
  void aDirectoryMovedOutAndBackUnderANewNameInALaterBatchIsStillARename() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path photos = Files.createDirectories(src.resolve("photos"));
    for (int i = 0; i < 20; i++) {
      Files.writeString(photos.resolve("img-" + i + ".txt"), "image " + i + "\n");
    }
    TestServer.Location remote = server.location(tmp, "dest");
    try (WatchRun watch = watch(server, src, remote.remotePath())) {
      Object inode = Files.getAttribute(remote.onDisk().resolve("photos/img-3.txt"), "unix:ino");
      Path outside = tmp.resolve("outside");
      Files.move(photos, outside);
      // Batches are handled in order: once the marker is there, the move-away has been seen.
      Files.writeString(src.resolve("marker.txt"), "m\n");
      await().atMost(DEADLINE).until(() -> Files.exists(remote.onDisk().resolve("marker.txt")));

      Files.move(outside, src.resolve("pictures"));
      Path after = remote.onDisk().resolve("pictures/img-3.txt");
      await().atMost(DEADLINE).until(() -> Files.exists(after));
      assertThat(Files.getAttribute(after, "unix:ino")).as("renamed, not sent again").isEqualTo(inode);
      await().atMost(DEADLINE).untilAsserted(() -> Trees.assertSameTree(src, remote.onDisk()));
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  @Test
  void aDroppedConnectionIsReconnectedAndCaughtUp() throws Exception {
    try (TestServer own = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("own-sftp"))) {
      Path src = Files.createDirectories(tmp.resolve("src"));
      Files.writeString(src.resolve("one.txt"), "one\n");
      TestServer.Location remote = own.location(tmp, "dest");
      try (WatchRun watch = watch(own, src, remote.remotePath(), "--delete")) {
        own.openssh().stop(); // drops the session
        Files.writeString(src.resolve("two.txt"), "made while the server was down\n");
        await().atMost(DEADLINE).until(() -> watch.toString().contains("reconnecting in"));
        own.openssh().restart();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(
            () -> assertThat(remote.onDisk().resolve("two.txt")).hasContent("made while the server was down"));

        Files.writeString(src.resolve("three.txt"), "after the reconnect\n");
        await().atMost(DEADLINE).untilAsserted(
            () -> assertThat(remote.onDisk().resolve("three.txt")).hasContent("after the reconnect"));
        assertThat(watch.stop()).as(watch.toString()).isZero();
      }
    }
  }

  @Test
  void sigtermEndsAChildWatchCleanlyWithZero() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    TestServer.Location remote = server.location(tmp, "dest");
    try (WatchChild child = WatchChild.start(server, src, remote.remotePath(), tmp)) {
      Files.writeString(src.resolve("late.txt"), "sent by the child\n");
      await().atMost(DEADLINE).untilAsserted(() -> assertThat(remote.onDisk().resolve("late.txt")).hasContent("sent by the child"));

      assertThat(child.terminate(DEADLINE)).as(child::toString).isZero();
      assertThat(Trees.tempFiles(remote.onDisk())).isEmpty();
    }
  }

  @Test
  void periodicVerificationRepairsWhatSomeoneRemovedOnTheRemoteAndReportsDrift() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("keep.txt"), "ours\n");
    Files.writeString(src.resolve("edited.txt"), "ours too\n");
    TestServer.Location remote = server.location(tmp, "dest");
    try (WatchRun watch = watch(server, src, remote.remotePath(), "--verify-every", "1s")) {
      // Behind the watch's back: no local change, so only the periodic reconcile can notice.
      Files.delete(remote.onDisk().resolve("keep.txt"));
      Files.writeString(remote.onDisk().resolve("edited.txt"), "theirs, edited on the server\n");
      await().atMost(DEADLINE).untilAsserted(() -> assertThat(remote.onDisk().resolve("keep.txt")).hasContent("ours"));
      await().atMost(DEADLINE).untilAsserted(() -> assertThat(watch.toString()).contains("edited.txt"));
      assertThat(remote.onDisk().resolve("edited.txt")).as("drift is left alone by default").hasContent("theirs, edited on the server");
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  @Test
  void exitAfterEndsTheWatchByItselfWithZero() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "a\n");
    TestServer.Location remote = server.location(tmp, "dest");
    CliRun run = CliRun.of(CliRun.args("watch", src, server.target(remote.remotePath()), server.cliOptions(),
        "--state-dir", tmp.resolve("state"), "--exit-after", "1s", "--debounce", "5ms", "--settle", "200ms"));
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("watch ").contains("in sync").contains("stopped");
    Trees.assertSameTree(src, remote.onDisk());
  }

  @Test
  void badDurationsAreUsageErrors() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    List<String> bad = new ArrayList<>(List.of("--debounce=fast", "--settle=5h", "--debounce=-1s", "--settle=20"));
    for (String option : bad) {
      CliRun run = CliRun.of(CliRun.args("watch", src, server.target("/nowhere"), server.cliOptions(),
          "--state-dir", tmp.resolve("state"), option));
      assertThat(run.exitCode()).as(option + ": " + run).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err()).contains("not a duration");
    }
  }
}
