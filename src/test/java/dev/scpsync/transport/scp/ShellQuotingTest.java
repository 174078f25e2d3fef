package dev.scpsync.transport.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.testing.Processes;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShellQuotingTest {

  @Test
  void singleQuotesAreClosedEscapedAndReopened() {
    assertThat(ShellQuoting.quote("it's")).isEqualTo("'it'\\''s'");
    assertThat(ShellQuoting.quote("")).isEqualTo("''");
  }

  @Test
  void aLocalShellGetsBackExactlyTheOriginalWord() throws Exception {
    List<String> hostile =
        List.of(
            "$(touch x)",
            "`id`",
            "a;b",
            "it's \"q\"",
            " lead space",
            "-rf",
            "a\nb",
            "\\",
            "!$*?[]{}~#&|<>");
    for (String word : hostile) {
      var result = Processes.runOk(List.of("sh", "-c", "printf '%s' " + ShellQuoting.quote(word)));
      assertThat(result.stdout()).isEqualTo(word);
    }
  }

  @Test
  void nulIsRefusedRatherThanTruncated() {
    assertThatThrownBy(() -> ShellQuoting.quote("a\0b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pathsThatLeaveTheRootOrCannotTravelAreRefused() {
    assertThat(RemotePaths.unsafe("a/b")).isNull();
    assertThat(RemotePaths.unsafe("a/../../etc")).contains("'..'");
    assertThat(RemotePaths.unsafe("./a")).isNotNull();
    assertThat(RemotePaths.unsafe("a//b")).isNotNull();
    assertThat(RemotePaths.notCarriableByScp("a\nb")).contains("newline");
    assertThat(RemotePaths.notCarriableByScp("a\rb")).contains("carriage return");
    assertThat(RemotePaths.unsafe("a\nb")).isNull();
  }

  @Test
  void relativeRootsNeverStartWithADash() {
    assertThat(new RemotePaths("-x").root()).isEqualTo("./-x");
    assertThat(new RemotePaths("").of("a")).isEqualTo("./a");
    assertThat(new RemotePaths("/").of("a")).isEqualTo("/a");
    assertThat(new RemotePaths("/srv/x").of("a/b")).isEqualTo("/srv/x/a/b");
  }
}
