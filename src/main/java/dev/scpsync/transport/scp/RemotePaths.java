package dev.scpsync.transport.scp;

/**
 * Turns tree-relative paths into the paths that remote commands see, and decides which relative
 * paths may be sent at all.
 *
 * <p>A relative root gets a {@code ./} prefix, so that no remote path ever starts with {@code -}
 * and is taken for an option (find has no {@code --}); the empty root is the login directory.
 */
final class RemotePaths {
  private final String root;

  RemotePaths(String userRoot) {
    if (userRoot.isEmpty() || userRoot.equals(".")) {
      root = ".";
    } else if (userRoot.startsWith("/") || userRoot.startsWith("./")) {
      root = userRoot;
    } else {
      root = "./" + userRoot;
    }
  }

  /** The root as commands see it. */
  String root() {
    return root;
  }

  /** The remote path of a tree-relative path. */
  String of(String relative) {
    return root.endsWith("/") ? root + relative : root + "/" + relative;
  }

  /**
   * Why a relative path must not reach the server, or {@code null} when it may. Empty, "." and ".."
   * elements would make a path leave the root or name the root itself (think of {@code rm -rf}).
   */
  static String unsafe(String relative) {
    if (relative.indexOf('\0') >= 0) {
      return "name contains a NUL character";
    }
    for (String element : relative.split("/", -1)) {
      if (element.isEmpty() || element.equals(".") || element.equals("..")) {
        return "path has an empty, '.' or '..' element; refused";
      }
    }
    return null;
  }

  /**
   * Why a path cannot travel in an SCP control record, or {@code null} when it can. SCP records are
   * lines: a newline would end the record early, and some implementations eat a carriage return, so
   * such names are refused rather than mangled.
   */
  static String notCarriableByScp(String relative) {
    String unsafe = unsafe(relative);
    if (unsafe != null) {
      return unsafe;
    }
    if (relative.indexOf('\n') >= 0 || relative.indexOf('\r') >= 0) {
      return "name contains a newline or carriage return, which the SCP protocol cannot carry;"
          + " use SFTP for this file";
    }
    return null;
  }
}
