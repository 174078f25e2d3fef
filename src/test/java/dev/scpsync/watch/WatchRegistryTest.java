package dev.scpsync.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recursive registration against the real JDK watch service, without the watcher thread. */
class WatchRegistryTest {
  @TempDir Path root;

  private WatchService service;
  private WatchRegistry registry;

  @BeforeEach
  void open() throws IOException {
    service = FileSystems.getDefault().newWatchService();
    registry =
        new WatchRegistry(
            root.toRealPath(),
            (path, isDir) -> isDir && path.endsWith("build"),
            dir -> dir.register(service, StandardWatchEventKinds.ENTRY_CREATE));
  }

  @AfterEach
  void close() throws IOException {
    service.close();
  }

  private WatchKey keyOf(String dir) {
    return registry.keys().stream()
        .filter(k -> dir.equals(registry.dirOf(k)))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void registeringAgainWatchesDirectoriesMadeMeanwhileWithoutDuplicates() throws IOException {
    Files.createDirectories(root.resolve("a"));
    registry.registerTree("");
    assertThat(registry.size()).isEqualTo(2);
    long kernelBefore = KernelWatches.available() ? KernelWatches.count() : 0;

    // Events lost in an overflow: these were never announced. The re-walk finds them.
    Files.createDirectories(root.resolve("a/b/c"));
    registry.registerTree("");

    assertThat(registry.size()).isEqualTo(4);
    if (KernelWatches.available()) {
      assertThat(KernelWatches.count() - kernelBefore).isEqualTo(2);
    }
  }

  @Test
  void excludedDirectoriesAreNotEnteredOrWatched() throws IOException {
    Files.createDirectories(root.resolve("build/classes"));
    Files.createDirectories(root.resolve("src/build-tools"));
    registry.registerTree("");
    assertThat(registry.keys())
        .extracting(registry::dirOf)
        .containsExactlyInAnyOrder("", "src", "src/build-tools");
  }

  @Test
  void aDirectoryThatTurnsUpUnderANewNameGetsAFreshKeyAndItsOldNameIsReported() throws IOException {
    Files.createDirectories(root.resolve("a/sub"));
    registry.registerTree("");
    WatchKey old = keyOf("a");
    WatchKey oldSub = keyOf("a/sub");

    // The new name is registered before the old name's delete event was handled (a move across
    // directories whose events were read in that order). The JDK returns the inode's old key.
    Files.move(root.resolve("a"), root.resolve("b"), StandardCopyOption.ATOMIC_MOVE);
    WatchRegistry.Outcome outcome = registry.registerTree("b");

    assertThat(outcome.moved()).containsExactly("a");
    assertThat(old.isValid()).isFalse();
    assertThat(oldSub.isValid()).isFalse();
    assertThat(registry.keys())
        .extracting(registry::dirOf)
        .containsExactlyInAnyOrder("", "b", "b/sub");
    assertThat(registry.isDirectory("a")).isFalse();
  }

  @Test
  void forgettingATreeCancelsItsKeysAndNoSiblingsWithSimilarNames() throws IOException {
    for (String dir : new String[] {"a/b", "ab", "a-b"}) {
      Files.createDirectories(root.resolve(dir));
    }
    registry.registerTree("");
    WatchKey a = keyOf("a");
    WatchKey ab = keyOf("ab");

    registry.forgetTree("a");

    assertThat(a.isValid()).isFalse();
    assertThat(ab.isValid()).isTrue();
    assertThat(registry.keys())
        .extracting(registry::dirOf)
        .containsExactlyInAnyOrder("", "ab", "a-b");
  }
}
