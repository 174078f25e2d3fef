package dev.scpsync.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a path leads, for paths that exist, do not exist yet, or end in a dangling link. */
class RealPathsTest {
  @TempDir Path tmp;

  @Test
  void aPathThatDoesNotExistYetResolvesThroughTheLinksBeforeIt() throws Exception {
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Path dir = Files.createDirectories(tmp.resolve("dir"));
    Files.createSymbolicLink(dir.resolve("link"), elsewhere);

    assertThat(RealPaths.resolve(dir.resolve("link/new/file.txt")))
        .isEqualTo(elsewhere.toRealPath().resolve("new/file.txt"));
  }

  @Test
  void aDanglingLinkResolvesToWhereACreateWouldWrite() throws Exception {
    // open(O_CREAT) through a dangling link creates its target: that is the path to check.
    Path target = tmp.resolve("elsewhere/created.txt");
    Files.createDirectories(target.getParent());
    Path dir = Files.createDirectories(tmp.resolve("dir"));
    Files.createSymbolicLink(dir.resolve("dangling"), Path.of("../elsewhere/created.txt"));

    assertThat(RealPaths.resolve(dir.resolve("dangling")))
        .isEqualTo(tmp.toRealPath().resolve("elsewhere/created.txt"));
  }

  @Test
  void dotDotAfterALinkLeavesFromTheLinkTarget() throws Exception {
    Path deep = Files.createDirectories(tmp.resolve("a/b/c"));
    Path dir = Files.createDirectories(tmp.resolve("dir"));
    Files.createSymbolicLink(dir.resolve("jump"), deep);
    Files.createSymbolicLink(dir.resolve("up"), Path.of("jump/../missing"));

    assertThat(RealPaths.resolve(dir.resolve("up")))
        .isEqualTo(tmp.toRealPath().resolve("a/b/missing"));
  }

  @Test
  void aLinkLoopIsReportedNotFollowedForever() throws Exception {
    Files.createSymbolicLink(tmp.resolve("ping"), Path.of("pong"));
    Files.createSymbolicLink(tmp.resolve("pong"), Path.of("ping"));

    assertThatThrownBy(() -> RealPaths.resolve(tmp.resolve("ping")))
        .isInstanceOf(FileSystemLoopException.class);
  }
}
