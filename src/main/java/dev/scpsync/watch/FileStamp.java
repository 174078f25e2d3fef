package dev.scpsync.watch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * What the settle rule compares between two looks at a path: a file whose stamp still moves is
 * still being written. The size is of file content: a regular file's length, 0 for anything else
 * (a symlink's own length is not content a transfer carries), so it can travel with the hint.
 */
record FileStamp(boolean directory, long size, long modifiedNanos) {

  /** Reads the stamp of a relative path; a seam so coalescer tests can fake the filesystem. */
  @FunctionalInterface
  interface Reader {
    /**
     * The stamp, or {@code null} when nothing is at the path.
     *
     * @throws IOException when the path exists but cannot be read
     */
    FileStamp read(String path) throws IOException;
  }

  /** Stamps below {@code root}, not following symlinks (they are synced as links). */
  static Reader under(Path root) {
    return path -> {
      try {
        BasicFileAttributes attrs =
            Files.readAttributes(
                root.resolve(path), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new FileStamp(
            attrs.isDirectory(),
            attrs.isRegularFile() ? attrs.size() : 0,
            attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS));
      } catch (NoSuchFileException e) {
        return null;
      }
    };
  }
}
