package dev.scpsync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.scan.ExcludeRules;
import dev.scpsync.scan.LocalScanner;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Tree comparison for tests: what a user would check with {@code diff -r} and {@code ls -l}. */
public final class Trees {
  private Trees() {}

  /**
   * Asserts that two trees hold the same paths with the same types, sizes, content, permission
   * bits, symlink targets and file mtimes (whole seconds).
   */
  public static void assertSameTree(Path expected, Path actual, String... ignoredPatterns) throws IOException {
    ExcludeRules ignore = ExcludeRules.of(List.of(ignoredPatterns));
    Snapshot left = new LocalScanner(ignore).scan(expected);
    Snapshot right = new LocalScanner(ignore).scan(actual);
    assertThat(right.asMap().keySet()).as("paths under %s", actual).containsExactlyElementsOf(left.asMap().keySet());
    for (Entry l : left.entries()) {
      Entry r = right.get(l.path());
      assertThat(r.type()).as("type of %s", l.path()).isEqualTo(l.type());
      if (l.isSymlink()) {
        assertThat(r.linkTarget()).as("target of %s", l.path()).isEqualTo(l.linkTarget());
        continue;
      }
      assertThat(Integer.toOctalString(r.mode())).as("mode of %s", l.path()).isEqualTo(Integer.toOctalString(l.mode()));
      if (l.isFile()) {
        assertThat(r.size()).as("size of %s", l.path()).isEqualTo(l.size());
        assertThat(r.mtime().getEpochSecond()).as("mtime of %s", l.path()).isEqualTo(l.mtime().getEpochSecond());
        assertThat(Files.mismatch(expected.resolve(l.path()), actual.resolve(l.path()))).as("content of %s", l.path()).isEqualTo(-1L);
      }
    }
  }

  /** Every file name below a root that looks like an scpsync temp file. */
  public static List<String> tempFiles(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (var walk = Files.walk(root)) {
      return walk.map(p -> p.getFileName().toString()).filter(n -> n.contains(".scpsync-")).toList();
    }
  }

  /** Regular files below a root at their final names (scpsync temp names left out). */
  public static List<Path> finalFiles(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (var walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().contains(".scpsync-")).toList();
    }
  }
}
