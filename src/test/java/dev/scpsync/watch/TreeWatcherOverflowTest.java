package dev.scpsync.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lost events and directories that cannot be watched: never silent, always a rescan. Overflow is
 * injected through a seam (lowering fs.inotify.max_queued_events would change the whole machine);
 * the watch limit is simulated by a registrar that fails the way the JDK does at ENOSPC.
 */
class TreeWatcherOverflowTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @TempDir Path root;

  private final RecordingListener listener = new RecordingListener();
  private TreeWatcher watcher;

  @AfterEach
  void close() {
    if (watcher != null) {
      watcher.close();
    }
  }

  private void awaitHint(DirtyPath hint) {
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(listener.hints()).contains(hint));
  }

  @Test
  void anOverflowIsWarnedAboutWithTheLimitAndTheFixAndRescansTheTree() throws IOException {
    watcher = TreeWatcher.start(root, WatchOptions.defaults(), listener);

    watcher.injectOverflow("");

    awaitHint(DirtyPath.wholeTree());
    assertThat(listener.warnings())
        .singleElement()
        .asString()
        .contains("events were lost for the whole tree", "rescanning");
    if (Files.exists(InotifyLimits.PROC.resolve("max_queued_events"))) {
      assertThat(listener.warnings().get(0))
          .contains("fs.inotify.max_queued_events = ", "sudo sysctl fs.inotify.max_queued_events=");
    }
    assertThat(watcher.isRunning()).isTrue();
  }

  @Test
  void overflowsOfManyDirectoriesInOneRoundRescanTheOutermostAndWarnOnce() throws IOException {
    Files.createDirectories(root.resolve("a/b"));
    Files.createDirectories(root.resolve("c"));
    watcher = TreeWatcher.start(root, WatchOptions.defaults(), listener);

    watcher.injectOverflow("a/b", "a", "c");

    awaitHint(DirtyPath.subtreeOf("a"));
    awaitHint(DirtyPath.subtreeOf("c"));
    assertThat(listener.hints()).containsOnly(DirtyPath.subtreeOf("a"), DirtyPath.subtreeOf("c"));
    assertThat(listener.warnings()).singleElement().asString().contains("2 directories");
    assertThat(watcher.watchedDirectories()).as("the re-walk adds no duplicates").isEqualTo(4);
  }

  @Test
  void outermostKeepsOnlyDirectoriesWithoutAnAncestorInTheSet() {
    assertThat(EventRouter.outermost(new TreeSet<>(List.of("a", "a-b", "a/b", "ab/c", "ab"))))
        .containsExactly("a", "a-b", "ab");
    assertThat(EventRouter.outermost(new TreeSet<>(List.of("x/y", "", "z")))).containsExactly("");
  }

  @Test
  void theWatchLimitIsReportedWithTheFixAndTheSubtreeIsRescannedUntilItCanBeWatched()
      throws IOException {
    Files.createDirectories(root.resolve("deep/er"));
    AtomicBoolean limitReached = new AtomicBoolean(true);
    UnaryOperator<WatchRegistry.Registrar> limited =
        jdk ->
            dir -> {
              if (limitReached.get() && dir.getFileName().toString().equals("deep")) {
                // What sun.nio.fs.LinuxWatchService throws when inotify_add_watch fails: ENOSPC.
                throw new IOException("User limit of inotify watches reached");
              }
              return jdk.register(dir);
            };
    WatchOptions options = WatchOptions.defaults().withUnwatchedRescan(Duration.ofMillis(200));

    watcher = TreeWatcher.start(root, options, listener, limited);

    assertThat(listener.warnings())
        .as("raised while start() registers")
        .singleElement()
        .asString()
        .contains(
            "cannot watch 'deep'", "User limit of inotify watches reached", "every 200 ms");
    if (Files.exists(InotifyLimits.PROC.resolve("max_user_watches"))) {
      assertThat(listener.warnings().get(0))
          .contains("fs.inotify.max_user_watches = ", "sudo sysctl fs.inotify.max_user_watches=");
    }
    assertThat(watcher.watchedDirectories()).as("only the root").isEqualTo(1);
    awaitHint(DirtyPath.subtreeOf("deep"));

    // Unwatched, but a change there still reaches the consumer through the periodic rescan.
    listener.clear();
    Files.writeString(root.resolve("deep/er/new.txt"), "x");
    awaitHint(DirtyPath.subtreeOf("deep"));
    assertThat(listener.warnings()).as("repeats are throttled").isEmpty();

    // Once the limit is raised, the retry watches the subtree and events flow again.
    limitReached.set(false);
    await()
        .atMost(DEADLINE)
        .untilAsserted(() -> assertThat(watcher.watchedDirectories()).isEqualTo(3));
    listener.clear();
    Files.writeString(root.resolve("deep/er/later.txt"), "y");
    awaitHint(DirtyPath.of("deep/er/later.txt", 1));
  }

  @Test
  void deletingTheWatchedDirectoryItselfIsWarnedAbout() throws IOException {
    Path watched = Files.createDirectories(root.resolve("watched"));
    watcher = TreeWatcher.start(watched, WatchOptions.defaults(), listener);

    Files.delete(watched);

    await()
        .atMost(DEADLINE)
        .untilAsserted(() -> assertThat(listener.warnings()).anyMatch(w -> w.contains("is gone")));
    awaitHint(DirtyPath.wholeTree());
  }

  @Test
  void aListenerThatThrowsDoesNotStopTheWatcher() throws IOException {
    AtomicBoolean thrown = new AtomicBoolean();
    WatchListener flaky =
        new WatchListener() {
          @Override
          public void onChanges(List<DirtyPath> batch) {
            if (thrown.compareAndSet(false, true)) {
              throw new IllegalStateException("listener bug");
            }
            listener.onChanges(batch);
          }
        };
    watcher = TreeWatcher.start(root, WatchOptions.defaults(), flaky);

    Files.writeString(root.resolve("first"), "x");
    await().atMost(DEADLINE).untilTrue(thrown);
    Files.writeString(root.resolve("second"), "y");
    awaitHint(DirtyPath.of("second", 1));
    assertThat(watcher.isRunning()).isTrue();
  }
}
