package dev.scpsync.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where rules come from: .scpsyncignore, --exclude-from files, --exclude, and their errors. */
class ExcludeRulesLoadTest {
  @TempDir Path dir;

  private Path root() throws IOException {
    return Files.createDirectories(dir.resolve("src"));
  }

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void laterSourcesOverrideEarlierOnes() throws IOException {
    Path root = root();
    Files.writeString(root.resolve(".scpsyncignore"), "*.log\nsecret\n");
    Path from = file("from", "!keep.log\n");
    ExcludeRules r = ExcludeRules.load(root, List.of("!secret"), List.of(from));

    assertThat(r.excludes("a.log", false)).as("from .scpsyncignore").isTrue();
    assertThat(r.excludes("keep.log", false)).as("--exclude-from re-includes").isFalse();
    assertThat(r.excludes("secret", false)).as("--exclude re-includes").isFalse();
  }

  @Test
  void excludeFromFilesApplyInTheOrderGiven() throws IOException {
    Path exclude = file("exclude", "x\n");
    Path include = file("include", "!x\n");
    assertThat(ExcludeRules.load(root(), List.of(), List.of(exclude, include)).excludes("x", false))
        .isFalse();
    assertThat(ExcludeRules.load(root(), List.of(), List.of(include, exclude)).excludes("x", false))
        .isTrue();
  }

  @Test
  void theCommandLineCannotReIncludeInsideADirectoryTheIgnoreFileExcludes() throws IOException {
    Path root = root();
    Files.writeString(root.resolve(".scpsyncignore"), "build/\n");
    ExcludeRules r = ExcludeRules.load(root, List.of("!build/app.jar"), List.of());
    assertThat(r.excludesWithAncestors("build/app.jar", false)).isTrue();
  }

  @Test
  void theIgnoreFileIsSyncedAndOnlyTheRootOneIsRead() throws IOException {
    Path root = root();
    Files.writeString(root.resolve(".scpsyncignore"), "*.tmp\n");
    Files.createDirectories(root.resolve("sub"));
    Files.writeString(root.resolve("sub/.scpsyncignore"), "*\n");
    ExcludeRules r = ExcludeRules.load(root, List.of(), List.of());

    assertThat(r.excludes(".scpsyncignore", false)).isFalse();
    assertThat(r.excludesWithAncestors("sub/data.txt", false)).isFalse();
    assertThat(r.excludesWithAncestors("sub/a.tmp", false)).isTrue();
  }

  @Test
  void withoutAnyIgnoreFileOnlyTheCommandLineCounts() throws IOException {
    ExcludeRules r = ExcludeRules.load(root(), List.of("*.o"), List.of());
    assertThat(r.excludes("a.o", false)).isTrue();
    assertThat(ExcludeRules.load(root(), List.of(), List.of()).isEmpty()).isTrue();
  }

  @Test
  void filesMayHaveAByteOrderMarkCrlfAndComments() throws IOException {
    Path from = dir.resolve("windows");
    Files.write(from, "\uFEFF# built\r\n*.obj\r\n\r\nbin/\r\n".getBytes(StandardCharsets.UTF_8));
    ExcludeRules r = ExcludeRules.load(root(), List.of(), List.of(from));
    assertThat(r.excludes("a.obj", false)).isTrue();
    assertThat(r.excludes("bin", true)).isTrue();
    assertThat(r.toString()).doesNotContain("# built");
  }

  @Test
  void aMissingExcludeFromFileIsAnErrorNamingIt() throws IOException {
    Path missing = dir.resolve("no-such-file");
    assertThatThrownBy(() -> ExcludeRules.load(root(), List.of(), List.of(missing)))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void anUnreadableExcludeFromFileIsAnErrorNamingIt() throws IOException {
    Path notUtf8 = dir.resolve("latin1");
    Files.write(notUtf8, new byte[] {'a', (byte) 0xff, '\n'});
    assertThatThrownBy(() -> ExcludeRules.load(root(), List.of(), List.of(notUtf8)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(notUtf8.toString());
  }

  @Test
  void aBadPatternInAFileNamesFileLineAndPattern() throws IOException {
    Path from = file("patterns", "# fine\n*.o\nsrc/[abc\n");
    assertThatThrownBy(() -> ExcludeRules.load(root(), List.of(), List.of(from)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(from + ":3: ")
        .hasMessageContaining("'src/[abc'");
  }

  @Test
  void aBadPatternInTheIgnoreFileNamesIt() throws IOException {
    Path root = root();
    Files.writeString(root.resolve(".scpsyncignore"), "ok\n!\n");
    assertThatThrownBy(() -> ExcludeRules.load(root, List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(root.resolve(".scpsyncignore") + ":2: ");
  }

  @Test
  void aBadPatternOnTheCommandLineSaysSo() throws IOException {
    assertThatThrownBy(() -> ExcludeRules.load(root(), List.of("x\\"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--exclude: ")
        .hasMessageContaining("'x\\'");
  }
}
