package dev.scpsync.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.tree.Entry;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Line syntax and rule evaluation (files: ExcludeRulesLoadTest; real git: GitAgreementTest). */
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
    assertThat(r.excludesWithAncestors(Entry.file("a/node_modules/x/y.js", 1, Instant.EPOCH, 0644)))
        .isTrue();
  }

  /** Rules are ';'-separated; type is f (file) or d (directory); ancestors count. */
  @ParameterizedTest(name = "[{0}] {1} ({2}) -> {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # rules                     | path              | type | excluded
          /build                      | build             | d    | true
          /build                      | src/build         | d    | false
          doc/frotz/                  | doc/frotz         | d    | true
          doc/frotz/                  | a/doc/frotz       | d    | false
          doc/frotz                   | doc/frotz/x.txt   | f    | true
          frotz/                      | a/frotz           | d    | true
          frotz/                      | a/frotz           | f    | false
          frotz/                      | a/frotz/x.txt     | f    | true
          **/foo                      | a/b/foo           | f    | true
          /**/foo                     | foo               | f    | true
          abc/**                      | abc               | d    | false
          abc/**                      | abc/x/y           | f    | true
          a/**/b                      | a/x/y/b           | f    | true
          **                          | any/thing         | f    | true
          *.log;!keep.log             | a.log             | f    | true
          *.log;!keep.log             | x/keep.log        | f    | false
          !keep.log;*.log             | keep.log          | f    | true
          build/;!build/keep.txt      | build/keep.txt    | f    | true
          build/*;!build/keep.txt     | build/keep.txt    | f    | false
          build/*;!build/keep.txt     | build/other.txt   | f    | true
          /*;!/src/                   | src/main.c        | f    | false
          /*;!/src/                   | README            | f    | true
          tmp*;!tmp/                  | tmp               | d    | false
          tmp*;!tmp/                  | tmp               | f    | true
          tmp*;!tmp/                  | tmp/x             | f    | false
          logs/**;!logs/keep/         | logs/keep         | d    | false
          logs/**;!logs/keep/         | logs/keep/a.txt   | f    | true
          logs/;!logs/;!logs/a.txt    | logs/a.txt        | f    | false
          \\#x                        | #x                | f    | true
          \\!x                        | !x                | f    | true
          Makefile                    | makefile          | f    | false
          """)
  void rulesFollowGitignore(String rules, String path, String type, boolean excluded) {
    ExcludeRules r = ExcludeRules.of(Arrays.asList(rules.split(";")));
    assertThat(r.excludesWithAncestors(path, type.equals("d"))).isEqualTo(excluded);
  }

  @Test
  void aReIncludedFileInsideAnExcludedDirectoryStaysExcluded() {
    ExcludeRules r = ExcludeRules.of(List.of("build/", "!build/keep.txt"));
    // Its own last match re-includes it, but git never looks inside build/ at all.
    assertThat(r.excludes("build/keep.txt", false)).isFalse();
    assertThat(r.excludesWithAncestors(Entry.file("build/keep.txt", 1, Instant.EPOCH, 0644)))
        .isTrue();
    assertThat(r.excludesWithAncestors(Entry.directory("build", Instant.EPOCH, 0755))).isTrue();
  }

  @Test
  void aSymlinkIsNotADirectoryForTrailingSlashPatterns() {
    ExcludeRules r = ExcludeRules.of(List.of("out/"));
    assertThat(r.excludesWithAncestors(Entry.symlink("out", "/elsewhere", Instant.EPOCH)))
        .isFalse();
  }

  @Test
  void commentsAndBlankLinesAreNotRules() {
    ExcludeRules r = ExcludeRules.of(List.of("# build output", "", "   ", "\r"));
    assertThat(r.isEmpty()).isTrue();
    assertThat(r.excludes("# build output", false)).isFalse();
    assertThat(ExcludeRules.none().isEmpty()).isTrue();
  }

  @Test
  void onlyALeadingHashIsAComment() {
    ExcludeRules r = ExcludeRules.of(List.of(" #x", "a#b"));
    assertThat(r.excludes(" #x", false)).isTrue();
    assertThat(r.excludes("a#b", false)).isTrue();
  }

  @Test
  void trailingSpacesAreDroppedUnlessEscaped() {
    ExcludeRules plain = ExcludeRules.of(List.of("foo   "));
    assertThat(plain.excludes("foo", false)).isTrue();
    assertThat(plain.excludes("foo   ", false)).isFalse();

    ExcludeRules escaped = ExcludeRules.of(List.of("foo\\  "));
    assertThat(escaped.excludes("foo ", false)).isTrue();
    assertThat(escaped.excludes("foo", false)).isFalse();
  }

  @Test
  void leadingSpacesAndTrailingTabsAreKeptAsGitDoes() {
    ExcludeRules r = ExcludeRules.of(List.of(" lead", "tab\t"));
    assertThat(r.excludes(" lead", false)).isTrue();
    assertThat(r.excludes("lead", false)).isFalse();
    assertThat(r.excludes("tab\t", false)).isTrue();
    assertThat(r.excludes("tab", false)).isFalse();
  }

  @Test
  void aCarriageReturnFromCrlfLinesIsNotPartOfThePattern() {
    assertThat(ExcludeRules.of(List.of("foo\r")).excludes("foo", false)).isTrue();
  }

  @Test
  void escapedWildcardsAreLiteral() {
    ExcludeRules r = ExcludeRules.of(List.of("a\\*", "q\\?"));
    assertThat(r.excludes("a*", false)).isTrue();
    assertThat(r.excludes("ab", false)).isFalse();
    assertThat(r.excludes("q?", false)).isTrue();
    assertThat(r.excludes("qx", false)).isFalse();
  }

  @Test
  void doubleStarGluedToALiteralIsOneStarAsDocumented() {
    // gitignore(5): "Other consecutive asterisks are considered regular asterisks". Git 2.39
    // itself lets this one cross directories (foo/y/bar), an artefact of its literal-prefix
    // shortcut; we follow the documentation.
    ExcludeRules r = ExcludeRules.of(List.of("/foo**/bar"));
    assertThat(r.excludes("foox/bar", false)).isTrue();
    assertThat(r.excludes("foo/bar", false)).isTrue();
    assertThat(r.excludes("foo/y/bar", false)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a[b         | unterminated character class
          x\\         | trailing backslash
          !           | the pattern is empty
          /           | the pattern is empty
          [[:word:]]  | unknown character class
          """)
  void malformedPatternsAreRejectedNamingThePattern(String pattern, String reason) {
    assertThatThrownBy(() -> ExcludeRules.of(List.of("ok", pattern)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + pattern + "'")
        .hasMessageContaining(reason);
  }
}
