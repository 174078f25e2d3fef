package dev.scpsync.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher on a real directory tree (inotify on Linux), with Awaitility deadlines. */
class TreeWatcherTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @TempDir Path root;

  private final RecordingListener listener = new RecordingListener();
  private TreeWatcher watcher;

  private TreeWatcher start(WatchOptions options) throws IOException {
    watcher = TreeWatcher.start(root, options, listener);
    return watcher;
  }

  private TreeWatcher start() throws IOException {
    return start(WatchOptions.defaults());
  }

  @AfterEach
  void close() {
    if (watcher != null) {
      watcher.close();
    }
  }

  private void awaitCovered(String... paths) {
    await()
        .atMost(DEADLINE)
        .untilAsserted(() -> assertThat(listener.uncovered(List.of(paths))).isEmpty());
  }

  private void awaitExactly(DirtyPath hint) {
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(listener.hints()).contains(hint));
  }

  @Test
  void createModifyAndDeleteOfAFileAreEachReported() throws IOException {
    start();
    Path file = root.resolve("a.txt");

    Files.writeString(file, "one");
    awaitExactly(DirtyPath.of("a.txt", 3));

    listener.clear();
    Files.writeString(file, "two, longer");
    awaitExactly(DirtyPath.of("a.txt", 11));

    listener.clear();
    Files.delete(file);
    awaitExactly(DirtyPath.of("a.txt", 0));
    assertThat(listener.warnings()).isEmpty();
  }

  @Test
  void mkdirTenLevelsDeepWithFilesMadeAtOnceMissesNothing() throws IOException {
    start();
    for (int round = 0; round < 5; round++) {
      // What `mkdir -p l1/.../l10 && touch` does: every level exists before any watch on it.
      List<String> made = new ArrayList<>();
      StringBuilder dir = new StringBuilder("r" + round);
      for (int level = 1; level <= 10; level++) {
        dir.append("/l").append(level);
      }
      Files.createDirectories(root.resolve(dir.toString()));
      String path = dir.toString();
      while (!path.isEmpty()) {
        Files.writeString(root.resolve(path).resolve("f"), path);
        made.add(path + "/f");
        made.add(path);
        path = dev.scpsync.tree.TreePaths.parent(path);
      }
      awaitCovered(made.toArray(String[]::new));
    }
    assertThat(watcher.watchedDirectories())
        .as("root, and r0..r4 with 10 levels each")
        .isEqualTo(1 + 5 * 11);

    // The deepest level is watched: a later file there is reported on its own.
    listener.clear();
    Files.writeString(root.resolve("r4/l1/l2/l3/l4/l5/l6/l7/l8/l9/l10/later"), "x");
    awaitExactly(DirtyPath.of("r4/l1/l2/l3/l4/l5/l6/l7/l8/l9/l10/later", 1));
  }

  @Test
  void renamingADirectoryReportsTheOldAndTheNewSubtreeAndFollowsTheNewName() throws IOException {
    Files.createDirectories(root.resolve("old/sub"));
    Files.writeString(root.resolve("old/sub/f"), "x");
    start();

    Files.move(root.resolve("old"), root.resolve("new"), StandardCopyOption.ATOMIC_MOVE);
    awaitExactly(DirtyPath.subtreeOf("old"));
    awaitExactly(DirtyPath.subtreeOf("new"));

    // The kernel watch followed the inode; events must carry the new name, never the old one.
    listener.clear();
    Files.writeString(root.resolve("new/sub/g"), "y");
    awaitExactly(DirtyPath.of("new/sub/g", 1));
    assertThat(listener.hints()).noneMatch(h -> h.path().startsWith("old"));
    assertThat(watcher.watchedDirectories()).isEqualTo(3);
  }

  @Test
  void aDirectoryMovedInFromOutsideIsWatchedAndOneMovedOutIsNot() throws IOException {
    Path outside = Files.createTempDirectory("scpsync-watch-outside");
    try {
      Files.createDirectories(outside.resolve("in/deep"));
      Files.createDirectories(root.resolve("leaving/deep"));
      start();

      Files.move(outside.resolve("in"), root.resolve("in"), StandardCopyOption.ATOMIC_MOVE);
      Files.move(root.resolve("leaving"), outside.resolve("left"), StandardCopyOption.ATOMIC_MOVE);
      awaitExactly(DirtyPath.subtreeOf("in"));
      awaitExactly(DirtyPath.subtreeOf("leaving"));
      await()
          .atMost(DEADLINE)
          .untilAsserted(() -> assertThat(watcher.watchedDirectories()).isEqualTo(3));

      listener.clear();
      Files.writeString(outside.resolve("left/deep/f"), "not ours any more");
      Files.writeString(root.resolve("in/deep/f"), "ours");
      awaitExactly(DirtyPath.of("in/deep/f", 4));
      assertThat(listener.hints()).containsOnly(DirtyPath.of("in/deep/f", 4));
    } finally {
      try (var walk = Files.walk(outside)) {
        walk.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(f -> f.delete());
      }
    }
  }

  @Test
  void twoThousandFilesMadeInABurstAreAllReportedOrRescanned() throws IOException {
    Files.createDirectories(root.resolve("burst"));
    start();
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      Files.writeString(root.resolve("burst/f" + i), "x");
      made.add("burst/f" + i);
    }
    awaitCovered(made.toArray(String[]::new));
  }

  @Test
  void excludedDirectoriesAreNeitherWatchedNorReported() throws IOException {
    Files.createDirectories(root.resolve("node_modules/left-pad/lib"));
    Files.createDirectories(root.resolve("src"));
    long before = KernelWatches.available() ? KernelWatches.count() : 0;
    start(
        WatchOptions.defaults()
            .withExcludes((path, isDir) -> isDir && path.endsWith("node_modules")));

    assertThat(watcher.watchedDirectories()).as("root and src").isEqualTo(2);
    if (KernelWatches.available()) {
      assertThat(KernelWatches.count() - before).as("kernel watches").isEqualTo(2);
    }

    // One excluded directory made while watching, one that was there before.
    Files.createDirectories(root.resolve("src/node_modules/x"));
    Files.writeString(root.resolve("node_modules/left-pad/lib/index.js"), "x");
    Files.writeString(root.resolve("src/node_modules/x/index.js"), "x");
    Files.writeString(root.resolve("src/main.js"), "y");
    awaitExactly(DirtyPath.of("src/main.js", 1));

    assertThat(listener.hints()).noneMatch(h -> h.path().contains("node_modules"));
    assertThat(watcher.watchedDirectories()).isEqualTo(2);
  }

  @Test
  void anEditorsAtomicSaveIsReportedAsTheTargetOnly() throws IOException {
    Files.writeString(root.resolve("notes.txt"), "v1");
    start();
    Path temp = root.resolve(".notes.txt.swp");
    Files.writeString(temp, "v2");
    Files.move(temp, root.resolve("notes.txt"), StandardCopyOption.ATOMIC_MOVE);
    awaitExactly(DirtyPath.of("notes.txt", 2));
    assertThat(listener.hints()).containsOnly(DirtyPath.of("notes.txt", 2));
  }

  @Test
  void closeReleasesEveryWatch() throws IOException {
    Files.createDirectories(root.resolve("a/b/c"));
    long before = KernelWatches.available() ? KernelWatches.count() : 0;
    start();
    List<java.nio.file.WatchKey> keys = watcher.watchKeys();
    assertThat(keys).hasSize(4).allMatch(java.nio.file.WatchKey::isValid);

    watcher.close();

    assertThat(keys).noneMatch(java.nio.file.WatchKey::isValid);
    assertThat(watcher.watchedDirectories()).isZero();
    assertThat(watcher.isRunning()).isFalse();
    if (KernelWatches.available()) {
      assertThat(KernelWatches.count()).isEqualTo(before);
    }
    watcher.close(); // a second close is harmless
    assertThat(listener.stops()).as("close is not a failure").isEmpty();
  }

  @Test
  void aSymlinkToADirectoryIsReportedButNotFollowed() throws IOException {
    Path elsewhere = Files.createDirectories(root.resolve("real"));
    start();
    Files.createSymbolicLink(root.resolve("link"), elsewhere);
    awaitExactly(DirtyPath.of("link", 0)); // a link carries no content
    assertThat(watcher.watchedDirectories()).isEqualTo(2);
  }
}
