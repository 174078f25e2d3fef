package dev.scpsync.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExcludeRulesTest {
  @Test
  void nameOnlyPatternsMatchAtAnyDepth() {
    ExcludeRules r = ExcludeRules.of(List.of("*.log", "node_modules"));
    assertThat(r.excludes("a.log", false)).isTrue();
    assertThat(r.excludes("x/y/a.log", false)).isTrue();
    assertThat(r.excludes("x/node_modules", true)).isTrue();
    assertThat(r.excludes("x/a.txt", false)).isFalse();
  }

  @Test
  void slashPatternsAreAnchoredAndTrailingSlashMeansDirectory() {
    ExcludeRules r = ExcludeRules.of(List.of("/build", "docs/*.tmp", "cache/"));
    assertThat(r.excludes("build", true)).isTrue();
    assertThat(r.excludes("sub/build", true)).isFalse();
    assertThat(r.excludes("docs/a.tmp", false)).isTrue();
    assertThat(r.excludes("x/docs/a.tmp", false)).isFalse();
    assertThat(r.excludes("cache", true)).isTrue();
    assertThat(r.excludes("cache", false)).isFalse();
  }

  @Test
  void descendantsOfAnExcludedDirectoryAreExcluded() {
    ExcludeRules r = ExcludeRules.of(List.of("node_modules/"));
    assertThat(r.excludesWithAncestors(dev.scpsync.tree.Entry.file("a/node_modules/x/y.js", 1, java.time.Instant.EPOCH, 0644))).isTrue();
  }
}
