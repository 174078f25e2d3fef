package dev.scpsync.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides what a test does when an installed peer (sshd, scp, rsync) is missing: in CI
 * ({@code CI=true}) that is a failure, because CI installs them; elsewhere the test is skipped
 * with a visible reason.
 */
public final class RequiredTools {
  private RequiredTools() {}

  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Returns the first existing executable among the candidates, or fails/skips. */
  public static Path require(String what, String... candidates) {
    for (String c : candidates) {
      Path p = Path.of(c);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String reason = what + " not installed (looked for " + String.join(", ", candidates) + ")";
    if (inCi()) {
      fail(reason + "; CI must install it (see .ci/run)");
    }
    Assumptions.abort(reason + "; install it to run this test");
    throw new AssertionError("unreachable");
  }
}
