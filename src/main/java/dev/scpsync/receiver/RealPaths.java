package dev.scpsync.receiver;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a path really leads once every symlink on the way, and at its end, is followed. */
final class RealPaths {
  // Linux gives up after 40 links (MAXSYMLINKS); following more would only serve a loop.
  private static final int MAX_LINKS = 40;

  private RealPaths() {}

  /**
   * Resolves every symlink in {@code path}, including a last name that is a dangling link, so the
   * result is the file an open or create would touch. Unlike {@link Path#toRealPath} it also works
   * for paths that do not exist yet: the part that does not exist is appended as written.
   *
   * @param path an absolute, normalized path
   * @throws FileSystemLoopException if the links form a loop or are nested too deep
   */
  static Path resolve(Path path) throws IOException {
    return resolve(path, new int[] {0});
  }

  private static Path resolve(Path path, int[] linksFollowed) throws IOException {
    try {
      return path.toRealPath();
    } catch (IOException doesNotFullyExist) {
      // Missing, a dangling link, not a directory, or a loop: walk it one name at a time.
    }
    Path parent = path.getParent();
    if (parent == null) {
      return path;
    }
    Path realParent = resolve(parent, linksFollowed);
    Path name = path.getFileName();
    switch (name.toString()) {
      case ".":
        return realParent;
      case "..":
        // realParent holds no links any more, so its lexical parent is its real parent.
        return realParent.getParent() == null ? realParent : realParent.getParent();
      default:
        break;
    }
    Path candidate = realParent.resolve(name);
    if (!Files.isSymbolicLink(candidate)) {
      return candidate;
    }
    if (++linksFollowed[0] > MAX_LINKS) {
      throw new FileSystemLoopException(path.toString());
    }
    // A dangling link: an O_CREAT open would create its target, so the target is what counts.
    return resolve(realParent.resolve(Files.readSymbolicLink(candidate)), linksFollowed);
  }
}
