package dev.scpsync.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Maps tree paths to local paths without ever leaving the root. */
final class LocalPaths {
  private LocalPaths() {}

  /**
   * The local path of a relative tree path.
   *
   * @throws IOException when the path would leave the root (an element "..", "." or empty, or an
   *     absolute path) — a hostile server's listing must not be able to address anything else
   */
  static Path resolveInside(Path root, String relative) throws IOException {
    for (String part : relative.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..") || part.indexOf('\0') >= 0) {
        throw new IOException("refusing unsafe path '" + relative + "'");
      }
    }
    Path resolved = root.resolve(relative).normalize();
    if (!resolved.startsWith(root.normalize())) {
      throw new IOException("refusing path outside the destination: '" + relative + "'");
    }
    return resolved;
  }

  /**
   * Checks that the parent directory of a path really is inside the root, with no symlink in
   * between that could redirect a write elsewhere.
   */
  static void requireRealParentInside(Path root, Path path) throws IOException {
    Path realRoot = root.toRealPath();
    Path parent = path.getParent();
    Path realParent = parent.toRealPath();
    if (!realParent.startsWith(realRoot) || !realParent.equals(realRoot.resolve(root.relativize(parent)).normalize())) {
      throw new IOException("refusing to write through a symlinked directory: " + path);
    }
    if (Files.isSymbolicLink(path) && Files.isDirectory(path)) {
      throw new IOException("refusing to write through a symlink: " + path);
    }
  }
}
