package dev.scpsync.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.tree.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the scanner leaves out of a snapshot, on a real directory tree. */
class LocalScannerExcludeTest {
  @TempDir Path root;

  private void touch(String... paths) throws IOException {
    for (String p : paths) {
      Path file = root.resolve(p);
      Files.createDirectories(file.getParent());
      Files.writeString(file, p);
    }
  }

  private List<String> scan(String... patterns) throws IOException {
    Snapshot s = new LocalScanner(ExcludeRules.of(List.of(patterns))).scan(root);
    return List.copyOf(s.asMap().keySet());
  }

  @Test
  void aFileReIncludedInsideAnExcludedDirectoryStaysOut() throws IOException {
    touch("build/keep.txt", "build/app.jar", "src/a.c");
    assertThat(scan("build/", "!build/keep.txt")).containsExactlyInAnyOrder("src", "src/a.c");
  }

  @Test
  void excludingTheContentsRatherThanTheDirectoryAllowsReIncludes() throws IOException {
    touch("build/keep.txt", "build/app.jar", "build/sub/x");
    assertThat(scan("build/*", "!build/keep.txt"))
        .containsExactlyInAnyOrder("build", "build/keep.txt");
  }

  @Test
  void aReIncludedDirectoryIsWalkedAndItsOwnMatchesApply() throws IOException {
    touch("logs/a.log", "logs/keep/b.log", "logs/keep/notes.txt", "readme");
    assertThat(scan("logs/*", "!logs/keep/", "*.log"))
        .containsExactlyInAnyOrder("logs", "logs/keep", "logs/keep/notes.txt", "readme");
  }

  @Test
  void theIgnoreFileIsScannedLikeAnyOtherFile() throws IOException {
    touch(".scpsyncignore", "a.tmp", "b.txt");
    Files.writeString(root.resolve(".scpsyncignore"), "*.tmp\n");
    Snapshot s = new LocalScanner(ExcludeRules.load(root, List.of(), List.of())).scan(root);
    assertThat(s.asMap().keySet()).containsExactlyInAnyOrder(".scpsyncignore", "b.txt");
  }

  @Test
  void aLookAtOnePathUsesTheRootsRulesAndPaths() throws IOException {
    touch("docs/a.txt", "docs/sub/b.txt", "docs/sub/c.log", "build/x", "top.log");
    LocalScanner scanner = new LocalScanner(ExcludeRules.of(List.of("/docs/sub/c.log", "build/")));
    assertThat(scanner.scan(root, "docs", true).asMap().keySet())
        .containsExactly("docs", "docs/a.txt", "docs/sub", "docs/sub/b.txt");
    assertThat(scanner.scan(root, "docs", false).asMap().keySet()).containsExactly("docs");
    assertThat(scanner.scan(root, "docs/sub/b.txt", false).asMap().keySet()).containsExactly("docs/sub/b.txt");
    assertThat(scanner.scan(root, "docs/sub/c.log", false).size()).as("excluded").isZero();
    assertThat(scanner.scan(root, "build/x", false).size()).as("below an excluded directory").isZero();
    assertThat(scanner.scan(root, "gone", true).size()).as("vanished").isZero();
    assertThat(scanner.scan(root, "", true).asMap().keySet()).contains("top.log").doesNotContain("build");
  }
}
