package dev.scpsync.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalScannerTest {
  @Test
  void aPathBelowTheRootIsNamedRelativeToItWhateverTheRootLooksLike() {
    assertThat(LocalScanner.relative(Path.of("/a/b"), Path.of("/a/b/c/d"))).isEqualTo("c/d");
    assertThat(LocalScanner.relative(Path.of("/"), Path.of("/x/y"))).isEqualTo("x/y");
    assertThat(LocalScanner.relative(Path.of("."), Path.of("./a/b"))).isEqualTo("a/b");
    assertThat(LocalScanner.relative(Path.of(""), Path.of("a/b"))).isEqualTo("a/b");
    assertThat(LocalScanner.relative(Path.of("src"), Path.of("src/x y/ü.txt"))).isEqualTo("x y/ü.txt");
    assertThat(LocalScanner.relative(Path.of("/a/b"), Path.of("/a/b"))).isEmpty();
    assertThat(LocalScanner.relative(Path.of("/a/b"), Path.of("/a/b").resolve("c").resolve("d")))
        .isEqualTo(LocalScanner.relative(Path.of("/a/b"), Path.of("/a/b/c/d")));
  }
}
