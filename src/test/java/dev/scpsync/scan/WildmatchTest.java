package dev.scpsync.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The glob dialect alone, against whole paths (no anchoring, no name-only matching). */
class WildmatchTest {
  @ParameterizedTest(name = "{0} ~ {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
          # glob           | path          | matches
          *.log            | a.log         | true
          *.log            | .log          | true
          *.log            | a.log.txt     | false
          foo*             | foo           | true
          x/*              | x/y           | true
          x/*              | x/y/z         | false
          *                | a/b           | false
          a?c              | abc           | true
          a?c              | ac            | false
          a?c              | a/c           | false
          [abc].txt        | b.txt         | true
          [abc].txt        | d.txt         | false
          [a-c]1           | b1            | true
          [a-c]1           | d1            | false
          [!a-c]1          | d1            | true
          [!a-c]1          | b1            | false
          [^a-c]1          | d1            | true
          []]x             | ]x            | true
          []a]x            | ax            | true
          [!]]x            | ]x            | false
          [!]]x            | ax            | true
          [a-]x            | -x            | true
          [-a]x            | -x            | true
          [a-c-e]x         | -x            | true
          [a-c-e]x         | dx            | false
          [z-a]x           | zx            | true
          [z-a]x           | ax            | false
          [!z-a]x          | zx            | false
          [!z-a]x          | ax            | true
          [\\]]x           | ]x            | true
          [[:digit:]]x     | 5x            | true
          [[:digit:]]x     | ax            | false
          [[:upper:][:digit:]] | Q         | true
          [[:upper:][:digit:]] | q         | false
          [[:x]            | :             | true
          [[:x]            | [             | true
          x[/]y            | x/y           | false
          x[!a]y           | x/y           | false
          x[^a]y           | x/y           | false
          **/foo           | foo           | true
          **/foo           | a/b/foo       | true
          **/foo           | a/b/foox      | false
          **/foo/bar       | x/foo/bar     | true
          **/foo/bar       | x/foo/y/bar   | false
          abc/**           | abc/x         | true
          abc/**           | abc/x/y       | true
          abc/**           | abc           | false
          a/**/b           | a/b           | true
          a/**/b           | a/x/b         | true
          a/**/b           | a/x/y/b       | true
          a/**/b           | ab            | false
          a/**/b           | a/xb          | false
          a/***/b          | a/x/y/b       | true
          a/**\\/b         | a/x/b         | true
          a/**\\/b         | a/b           | false
          **               | a/b/c         | true
          a**b             | axxb          | true
          a**b             | a/b           | false
          a/**b            | a/x/b         | false
          a/**b            | a/xb          | true
          a**/b            | ax/y/b        | false
          a\\*             | a*            | true
          a\\*             | ab            | false
          \\[x]            | [x]           | true
          \\#x             | #x            | true
          é?               | éa            | true
          """)
  void globsFollowGitWildmatch(String glob, String path, boolean matches) {
    assertThat(Wildmatch.compile(glob).matcher(path).matches()).isEqualTo(matches);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a[b          | unterminated character class
          a[!          | unterminated character class
          a[]          | unterminated character class
          a[\\         | unterminated character class
          [[:nope:]]   | unknown character class '[:nope:]'
          a\\          | trailing backslash
          """)
  void globsThatGitCouldNeverMatchAreRejected(String glob, String reason) {
    assertThatThrownBy(() -> Wildmatch.compile(glob))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void aNewlineInANameIsMatchedLikeAnyOtherCharacter() {
    assertThat(Wildmatch.compile("a*b").matcher("a\nb").matches()).isTrue();
    assertThat(Wildmatch.compile("x/**").matcher("x/a\nb/c").matches()).isTrue();
  }
}
