package dev.scpsync.transport;

import dev.scpsync.tree.TreePaths;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Temporary names for files in flight: {@code .NAME.scpsync-XXXXXXXX.tmp} in the destination's
 * own directory, so that the final rename never crosses file systems. Names too long to extend
 * fall back to {@code .scpsync-XXXXXXXX.tmp}.
 */
public final class TempNames {
  private static final int MAX_NAME_BYTES = 255;
  public static final String MARKER = ".scpsync-";

  private TempNames() {}

  /** A fresh temporary relative path beside {@code path}. */
  public static String beside(String path) {
    // Uniqueness, not secrecy: over SFTP temp files are created exclusively (O_EXCL), so a
    // guessed name only makes one upload fail; over SCP, abusing a guessed name needs write
    // access to the destination directory, which already allows replacing the files themselves.
    String suffix = MARKER + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ".tmp";
    String name = path.substring(path.lastIndexOf('/') + 1);
    String temp = "." + name + suffix;
    if (temp.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      temp = suffix;
    }
    return TreePaths.join(TreePaths.parent(path), temp);
  }

  /**
   * The staging directory of a chunked upload to an SCP-only server, beside its temporary file:
   * {@code .NAME.scpsync-XXXXXXXX.parts} for {@code .NAME.scpsync-XXXXXXXX.tmp}.
   */
  public static String stagingFor(String tempPath) {
    return tempPath.substring(0, tempPath.length() - ".tmp".length()) + ".parts";
  }

  /** Whether a directory name looks like one of our staging directories. */
  public static boolean isStaging(String name) {
    return name.startsWith(".") && name.contains(MARKER) && name.endsWith(".parts");
  }

  /** Whether a name looks like one of ours (left behind by a killed run). */
  public static boolean isTemp(String name) {
    return name.startsWith(".") && name.contains(MARKER) && name.endsWith(".tmp");
  }
}
