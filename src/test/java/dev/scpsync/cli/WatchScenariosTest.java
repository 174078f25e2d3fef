package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.AllServers;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The watch scenarios of issue 4, each against a real server and each checked the way a user would
 * check a mirror: the remote tree equals the local one (content, modes, mtimes) and no temp file is
 * left behind. Where the scenario is about doing little (a rename, a chmod, an editor's save), the
 * remote inode and the watch's own "synced N files" lines show that nothing was sent again.
 *
 * <p>Deadlines are generous and nothing asserts a duration: this runs on a loaded 2-core machine.
 */
class WatchScenariosTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  /** For thousands of files: sent one by one over one session, on a machine that is busy. */
  private static final Duration BURST_DEADLINE = Duration.ofSeconds(180);
  /** Scanning and comparing trees of 10,000 files costs CPU the watch needs: look less often. */
  private static final Duration BURST_POLL = Duration.ofSeconds(1);

  @TempDir static Path shared;
  private static AllServers servers;
  private static TestServer sftp;

  @TempDir Path tmp;

  @BeforeAll
  static void startServers() throws Exception {
    servers = AllServers.start(shared);
    sftp = servers.get(ServerKind.OPENSSH_SFTP);
  }

  @AfterAll
  static void stopServers() throws IOException {
    if (servers != null) {
      servers.close();
    }
  }

  private WatchRun watch(TestServer target, Path src, TestServer.Location remote, String... extra) {
    return WatchRun.start(target, src, remote.remotePath(), tmp.resolve("state"), extra);
  }

  @Test
  void aChmodOfAFileReachesTheRemoteWithoutSendingItAgain() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path script = Files.writeString(src.resolve("deploy.sh"), "#!/bin/sh\necho deployed\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
    TestServer.Location remote = sftp.location(tmp, "dest");
    try (WatchRun watch = watch(sftp, src, remote, "--delete")) {
      Path there = remote.onDisk().resolve("deploy.sh");
      Object inode = Files.getAttribute(there, "unix:ino");

      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));

      await().atMost(DEADLINE).untilAsserted(() ->
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(there))).isEqualTo("rwxr-x---"));
      awaitSameTree(src, remote);
      assertThat(Files.getAttribute(there, "unix:ino")).as("the mode was set, the file not sent again").isEqualTo(inode);
      assertThat(watch.filesSynced()).as(watch.toString()).isZero();
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  @Test
  void aChmodOfADirectoryReachesTheRemote() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path secrets = Files.createDirectories(src.resolve("secrets"));
    Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(secrets.resolve("key.txt"), "not for everyone\n");
    TestServer.Location remote = sftp.location(tmp, "dest");
    try (WatchRun watch = watch(sftp, src, remote, "--delete")) {
      Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwx------"));

      Path there = remote.onDisk().resolve("secrets");
      await().atMost(DEADLINE).untilAsserted(() ->
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(there))).isEqualTo("rwx------"));
      awaitSameTree(src, remote);
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  @Test
  void mkdirTenLevelsDeepWithFilesAtSeveralLevelsMadeAtOnceAllArrive() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    TestServer.Location remote = sftp.location(tmp, "dest");
    try (WatchRun watch = watch(sftp, src, remote, "--delete")) {
      // As `mkdir -p l1/.../l10 && touch ...` would: no pause for the watcher to catch up.
      StringBuilder path = new StringBuilder();
      for (int level = 1; level <= 10; level++) {
        path.append(level == 1 ? "" : "/").append("l").append(level);
      }
      Path deepest = Files.createDirectories(src.resolve(path.toString()));
      for (Path dir = deepest; !dir.equals(src); dir = dir.getParent()) {
        String name = dir.getFileName().toString();
        if (Set.of("l1", "l2", "l5", "l9", "l10").contains(name)) {
          Files.writeString(dir.resolve("at-" + name + ".txt"), "level " + name + "\n");
        }
      }
      Path side = Files.createDirectories(src.resolve("l1/l2/l3/side/x/y"));
      Files.writeString(side.resolve("leaf.txt"), "a side branch\n");

      await().atMost(DEADLINE).until(() -> Files.exists(remote.onDisk().resolve(path + "/at-l10.txt")));
      awaitSameTree(src, remote);
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  /**
   * Twenty renames, within a directory and across directories, each awaited: every one must be a
   * remote rename. Twenty, because whether the two halves of a rename share a batch depends on
   * timing, and one rename alone would pass most of the time even with the bug this guards: a
   * rename whose two halves came in two batches became a remote delete plus a second upload.
   */
  @Test
  void renamedFilesAreRemoteRenamesNotSecondUploads() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.createDirectories(src.resolve("docs"));
    Files.createDirectories(src.resolve("archive"));
    Files.writeString(src.resolve("docs/report-0.txt"), "quarterly numbers\n".repeat(1_000));
    TestServer.Location remote = sftp.location(tmp, "dest");
    try (WatchRun watch = watch(sftp, src, remote, "--delete")) {
      Object inode = Files.getAttribute(remote.onDisk().resolve("docs/report-0.txt"), "unix:ino");
      String name = "docs/report-0.txt";
      int renames = 20;
      for (int i = 1; i <= renames; i++) {
        String from = name;
        name = (i % 4 == 0 ? "archive/" : "docs/") + "report-" + i + ".txt"; // every 4th across
        Files.move(src.resolve(from), src.resolve(name));
        Path after = remote.onDisk().resolve(name);
        await().atMost(DEADLINE).until(() -> Files.exists(after) && !Files.exists(remote.onDisk().resolve(from)));
      }

      awaitSameTree(src, remote);
      // Each rename is reported either as a rename or as a file sent again.
      await().atMost(DEADLINE).until(() -> watch.renamed() + watch.filesSynced() >= renames);
      assertThat(watch.filesSynced()).as("files sent again: %s", watch).isZero();
      assertThat(watch.renamed()).as(watch.toString()).isEqualTo(renames);
      // Weaker than the two above (a freed inode number may be reused by a new upload), but what
      // a user could check with ls -i.
      assertThat(Files.getAttribute(remote.onDisk().resolve(name), "unix:ino")).isEqualTo(inode);
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  @Test
  void aRenamedDirectoryOf1000FilesIsOneRemoteRenameWithNoDataSent() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path photos = Files.createDirectories(src.resolve("photos"));
    writeFiles(photos, 1_000, "img-");
    TestServer.Location remote = sftp.location(tmp, "dest");
    try (WatchRun watch = watch(sftp, src, remote, "--delete")) {
      List<String> sample = List.of("img-0.txt", "img-499.txt", "img-999.txt");
      List<Object> inodes = inodes(remote.onDisk().resolve("photos"), sample);

      Files.createDirectories(src.resolve("archive"));
      Files.move(photos, src.resolve("archive/photos-2024"));

      Path after = remote.onDisk().resolve("archive/photos-2024");
      await().atMost(DEADLINE).until(() ->
          Files.exists(after.resolve("img-999.txt")) && !Files.exists(remote.onDisk().resolve("photos")));
      awaitSameTree(src, remote);
      assertThat(inodes(after, sample)).as("renamed, not sent again").isEqualTo(inodes);
      await().atMost(DEADLINE).until(() -> watch.renamed() >= 1);

      // Renaming the parent in place moves the 1,000 files once more.
      Files.move(src.resolve("archive"), src.resolve("old-archive"));
      Path again = remote.onDisk().resolve("old-archive/photos-2024");
      await().atMost(DEADLINE).until(() ->
          Files.exists(again.resolve("img-999.txt")) && !Files.exists(remote.onDisk().resolve("archive")));
      awaitSameTree(src, remote);
      assertThat(inodes(again, sample)).as("renamed again, not sent again").isEqualTo(inodes);
      await().atMost(DEADLINE).until(() -> watch.renamed() >= 2);
      assertThat(watch.renamed()).as("one rename per move: %s", watch).isEqualTo(2);
      assertThat(watch.filesSynced()).as(watch.toString()).isZero();
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  @Test
  void aBurstOf10000NewFilesInAFewDirectoriesAllArrive() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    TestServer.Location remote = sftp.location(tmp, "dest");
    try (WatchRun watch = watch(sftp, src, remote, "--delete")) {
      for (int d = 0; d < 8; d++) {
        writeFiles(Files.createDirectories(src.resolve("batch-" + d)), 1_250, "f-");
      }

      awaitSameTree(src, remote, BURST_DEADLINE, BURST_POLL);
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  @Test
  void anEditorsAtomicSaveSendsTheFinalFileOnceAndNeverItsTempFile() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path notes = Files.writeString(src.resolve("notes.txt"), "first draft\n");
    TestServer.Location remote = sftp.location(tmp, "dest");
    Set<String> seenOnRemote = new ConcurrentSkipListSet<>();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread observer = Thread.ofPlatform().name("remote-listing").start(() -> {
      while (watching.get()) {
        try (Stream<Path> list = Files.list(remote.onDisk())) {
          list.forEach(p -> seenOnRemote.add(p.getFileName().toString()));
        } catch (IOException e) {
          // not created yet, or a temp name gone between listing and reading
        }
        // A sampler, not a wait for a result: a listing every millisecond, without taking a core.
        LockSupport.parkNanos(1_000_000);
      }
    });
    try (WatchRun watch = watch(sftp, src, remote, "--delete")) {
      // vim: write the new content to a swap-like temp, then rename it over the file.
      saveLikeAnEditor(notes, src.resolve(".notes.txt.swp"), "second draft, longer\n");
      assertSentOnce(watch, src, remote, notes, "second draft, longer\n", "after-vim");

      // Another editor's habit: a "~" temp next to the file.
      saveLikeAnEditor(notes, src.resolve("notes.txt.tmp~"), "final text\n");
      assertSentOnce(watch, src, remote, notes, "final text\n", "after-tilde");

      // vim with backupcopy=no: the file becomes its backup, a new file is written, the backup goes.
      Path backup = src.resolve("notes.txt~");
      Files.move(notes, backup);
      Files.writeString(notes, "final text, one more fix\n");
      Files.delete(backup);
      assertSentOnce(watch, src, remote, notes, "final text, one more fix\n", "after-backup");

      assertThat(watch.stop()).as(watch.toString()).isZero();
    } finally {
      watching.set(false);
      observer.join();
    }
    assertThat(seenOnRemote).as("names ever listed in the remote directory")
        .noneMatch(n -> n.endsWith(".swp") || n.endsWith("~"));
  }

  private static void saveLikeAnEditor(Path file, Path temp, String content) throws IOException {
    Files.writeString(temp, content);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Waits for the saved content at the remote, then sends a marker file after it: batches are
   * carried out in order, so once the marker's batch is reported, a second upload of the saved file
   * would have been reported too.
   */
  private void assertSentOnce(WatchRun watch, Path src, TestServer.Location remote, Path file, String content,
      String marker) throws IOException {
    int mark = watch.out().length();
    Path there = remote.onDisk().resolve(src.relativize(file).toString());
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(there).hasContent(content.strip()));
    Files.writeString(src.resolve(marker), "marker\n");
    await().atMost(DEADLINE).until(() -> Files.exists(remote.onDisk().resolve(marker))
        && WatchRun.filesSyncedIn(watch.out().substring(mark)) >= 2);
    awaitSameTree(src, remote);
    assertThat(WatchRun.filesSyncedIn(watch.out().substring(mark)))
        .as("the saved file and the marker, each once: %s", watch).isEqualTo(2);
  }

  @Test
  void aFileThatGrowsForTwoSecondsEndsCompleteAndIsNotSentOverAndOver() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    TestServer.Location remote = sftp.location(tmp, "dest");
    try (WatchRun watch = watch(sftp, src, remote, "--delete")) {
      Path log = src.resolve("build.log");
      // The writer of the scenario, not a wait for a result: 40 appends, 50 ms apart.
      for (int i = 0; i < 40; i++) {
        Files.writeString(log, "line " + i + " " + "x".repeat(200) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Thread.sleep(50);
      }

      Path there = remote.onDisk().resolve("build.log");
      await().atMost(DEADLINE).until(() -> Files.exists(there) && Files.mismatch(log, there) == -1L);
      awaitSameTree(src, remote);
      int uploads = watch.filesSynced();
      assertThat(uploads).as("uploads of a file that grew by 40 appends: %s", watch).isBetween(1, 5);
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  @Test
  void aTargetDownForTenSecondsWhileEveryKindOfChangeHappensConvergesAfterItsRestart() throws Exception {
    try (TestServer own = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("own-sftp"))) {
      Path src = Files.createDirectories(tmp.resolve("src"));
      Files.writeString(src.resolve("edited.txt"), "before the outage\n");
      Files.writeString(src.resolve("doomed.txt"), "deleted during the outage\n");
      Files.writeString(src.resolve("mode.txt"), "its mode, then its name change during the outage\n");
      Files.createDirectories(src.resolve("old-dir/inner"));
      Files.writeString(src.resolve("old-dir/inner/x.txt"), "a directory removed during the outage\n");
      TestServer.Location remote = own.location(tmp, "dest");
      try (WatchRun watch = watch(own, src, remote, "--delete")) {
        own.openssh().stop(); // drops the session
        List<ThrowingRunnable> changes = List.of(
            () -> Files.writeString(src.resolve("created.txt"), "made while the server was down\n"),
            () -> Files.writeString(src.resolve("edited.txt"), "edited while the server was down, longer\n"),
            () -> Files.delete(src.resolve("doomed.txt")),
            () -> {
              Path made = Files.createDirectories(src.resolve("new-dir/a/b"));
              Files.writeString(made.resolve("deep.txt"), "in a directory made during the outage\n");
            },
            () -> deleteTree(src.resolve("old-dir")),
            () -> Files.setPosixFilePermissions(src.resolve("mode.txt"), PosixFilePermissions.fromString("rw-------")),
            () -> Files.move(src.resolve("mode.txt"), src.resolve("renamed.txt")),
            () -> Files.writeString(src.resolve("edited.txt"), "edited twice while the server was down\n"));
        // The outage of the scenario: ten seconds, the changes spread over it.
        Instant start = Instant.now();
        Duration outage = Duration.ofSeconds(10);
        for (int i = 0; i < changes.size(); i++) {
          changes.get(i).run();
          Instant next = start.plus(outage.multipliedBy(i + 1).dividedBy(changes.size()));
          Thread.sleep(Math.max(0, Duration.between(Instant.now(), next).toMillis()));
        }
        assertThat(watch.err()).as("the watch noticed the outage").contains("reconnecting in");

        own.openssh().restart();

        // The reconnect backoff may have grown to several seconds by now.
        awaitSameTree(src, remote, Duration.ofSeconds(90), Duration.ofMillis(500));
        assertThat(watch.stop()).as(watch.toString()).isZero();
      }
    }
  }

  /**
   * A real overflow, end to end. Lowering {@code fs.inotify.max_queued_events} is no way to force
   * one: it is one value for the whole machine, not per namespace (root in a user namespace writes
   * the global value), and other things run here. Instead the watch runs in a child JVM that is
   * frozen while more events happen than the default queue holds.
   */
  @Test
  void eventsLostToAFullKernelQueueAreFoundByTheRescanThatTheOverflowStarts() throws Exception {
    Path queueLimit = Path.of("/proc/sys/fs/inotify/max_queued_events");
    assumeThat(queueLimit).as("Linux inotify").exists();
    // Not Files.readString: for a file of size 0 it reads 1 byte first, and sysctl files here
    // answer a read at offset 1 with EOF ("16384" reads as "1").
    int queue = Integer.parseInt(Files.readAllLines(queueLimit).getFirst().strip());
    assumeThat(queue).as("a queue small enough to fill in a test").isLessThanOrEqualTo(65_536);
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("victim.txt"), "before\n");
    Files.writeString(src.resolve("doomed.txt"), "deleted while nobody listened\n");
    List<Path> busy = new ArrayList<>();
    for (int d = 0; d < 8; d++) {
      // Existing, hence watched: files made in a directory created later would raise no event.
      busy.add(Files.createDirectories(src.resolve("busy-" + d)));
    }
    TestServer.Location remote = sftp.location(tmp, "dest");
    Path scratch = Files.createDirectories(tmp.resolve("child"));
    try (WatchChild child = WatchChild.start(sftp, src, remote.remotePath(), scratch, "--delete")) {
      // Frozen, the child cannot read its inotify queue: the kernel queues max_queued_events
      // events, then one overflow marker, and drops every event after that.
      child.freeze();
      try {
        int files = queue / 2 + 2_000; // each new file with content raises two: create, modify
        for (int i = 0; i < files; i++) {
          Files.writeString(busy.get(i % busy.size()).resolve("f-" + i + ".txt"), "file " + i + "\n");
        }
        // The queue is full: these changes reach no one; only a rescan can find them.
        Files.writeString(src.resolve("victim.txt"), "after, and longer than before\n");
        Files.delete(src.resolve("doomed.txt"));
        Files.writeString(src.resolve("late.txt"), "made after the overflow\n");
      } finally {
        child.thaw();
      }

      await().atMost(DEADLINE).untilAsserted(() ->
          assertThat(child.err()).as(child::toString).contains("scpsync: warning: file events were lost"));
      awaitSameTree(src, remote, BURST_DEADLINE, BURST_POLL);
      assertThat(remote.onDisk().resolve("victim.txt")).hasContent("after, and longer than before");
      assertThat(child.terminate(DEADLINE)).as(child::toString).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(value = ServerKind.class, names = {"OPENSSH_SCP_ONLY", "EMBEDDED_RECEIVER"})
  void createModifyDeleteAndADirectoryRenameReach(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("edited.txt"), "first\n");
    Files.writeString(src.resolve("doomed.txt"), "to be deleted\n");
    writeFiles(Files.createDirectories(src.resolve("album")), 50, "pic-");
    TestServer.Location remote = server.location(tmp, "dest");
    try (WatchRun watch = watch(server, src, remote, "--delete")) {
      Object inode = Files.getAttribute(remote.onDisk().resolve("album/pic-7.txt"), "unix:ino");

      Files.writeString(src.resolve("created.txt"), "new\n");
      await().atMost(DEADLINE).untilAsserted(() -> assertThat(remote.onDisk().resolve("created.txt")).hasContent("new"));
      Files.writeString(src.resolve("edited.txt"), "second, longer\n");
      await().atMost(DEADLINE).untilAsserted(() -> assertThat(remote.onDisk().resolve("edited.txt")).hasContent("second, longer"));
      Files.delete(src.resolve("doomed.txt"));
      await().atMost(DEADLINE).until(() -> !Files.exists(remote.onDisk().resolve("doomed.txt")));
      await().atMost(DEADLINE).until(() -> watch.filesSynced() >= 2); // created.txt and edited.txt
      int sentBefore = watch.filesSynced();
      Files.createDirectories(src.resolve("years"));
      Files.move(src.resolve("album"), src.resolve("years/2024"));
      Path after = remote.onDisk().resolve("years/2024/pic-7.txt");
      await().atMost(DEADLINE).until(() -> Files.exists(after) && !Files.exists(remote.onDisk().resolve("album")));

      awaitSameTree(src, remote);
      assertThat(Files.getAttribute(after, "unix:ino")).as("renamed, not sent again").isEqualTo(inode);
      await().atMost(DEADLINE).until(() -> watch.renamed() >= 1);
      assertThat(watch.renamed()).as(watch.toString()).isEqualTo(1);
      assertThat(watch.filesSynced()).as("files sent for the move: %s", watch).isEqualTo(sentBefore);
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  /** A change made to the source tree; the scenarios list them to spread them over time. */
  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws IOException;
  }

  private static void writeFiles(Path dir, int count, String prefix) throws IOException {
    for (int i = 0; i < count; i++) {
      Files.writeString(dir.resolve(prefix + i + ".txt"), prefix + i + " in " + dir.getFileName() + "\n");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Regular files below a root; a temp file that vanishes while it is counted is not one. */
  private static long fileCount(Path root) throws IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    long[] files = {0};
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          files[0]++;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    return files[0];
  }

  private static List<Object> inodes(Path dir, List<String> names) throws IOException {
    List<Object> inodes = new ArrayList<>();
    for (String name : names) {
      inodes.add(Files.getAttribute(dir.resolve(name), "unix:ino"));
    }
    return inodes;
  }

  private static void awaitSameTree(Path src, TestServer.Location remote) throws IOException {
    awaitSameTree(src, remote, DEADLINE, Duration.ofMillis(100));
  }

  /** The mirror is complete: the same tree at the remote, and no temp file left there. */
  private static void awaitSameTree(Path src, TestServer.Location remote, Duration deadline, Duration poll)
      throws IOException {
    long files = fileCount(src);
    // Cheap first: comparing trees of thousands of paths that still differ costs CPU and long messages.
    await().atMost(deadline).pollInterval(poll).until(() -> fileCount(remote.onDisk()) >= files);
    await().atMost(deadline).pollInterval(poll).untilAsserted(() -> Trees.assertSameTree(src, remote.onDisk()));
    assertThat(Trees.tempFiles(remote.onDisk())).as("temp files left at the remote").isEmpty();
  }
}
