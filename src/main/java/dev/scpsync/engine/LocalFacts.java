package dev.scpsync.engine;

import dev.scpsync.watch.DirtyPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Facts about local files that the scan does not gather for every entry because they cost extra
 * I/O: file keys (device and inode, for rename detection) and SHA-256 of content (for "only the
 * mtime changed" and renames by content). Computed only for the paths that need them.
 */
final class LocalFacts {
  private LocalFacts() {}

  /** File keys of the given paths; paths that vanished or have no key are left out. */
  static Map<String, String> fileKeys(Path root, Collection<String> paths) {
    Map<String, String> keys = new HashMap<>();
    for (String p : paths) {
      String key = fileKey(root.resolve(p));
      if (key != null) {
        keys.put(p, key);
      }
    }
    return keys;
  }

  static String fileKey(Path file) {
    try {
      Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
      return key == null ? null : key.toString();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The bytes a transfer of {@code file} would carry, as a hint carries them: a regular file's
   * length, 0 for anything else or nothing, {@link DirtyPath#UNKNOWN} when it cannot be read.
   */
  static long contentBytes(Path file) {
    try {
      BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attrs.isRegularFile() ? attrs.size() : 0;
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      return DirtyPath.UNKNOWN;
    }
  }

  /** SHA-256 of the given files' content; files that cannot be read are left out. */
  static Map<String, String> sha256(Path root, Collection<String> paths) {
    Map<String, String> hashes = new HashMap<>();
    for (String p : paths) {
      try {
        hashes.put(p, sha256(root.resolve(p)));
      } catch (IOException e) {
        // vanished or unreadable: it is simply not a candidate; the transfer reports the problem
      }
    }
    return hashes;
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
    try (SeekableByteChannel in = Files.newByteChannel(file, LinkOption.NOFOLLOW_LINKS)) {
      // Sized to the file: most are small, and a 256 KiB buffer per 4 KiB file was most of a
      // large push's allocation. One byte more than the size, so the end is seen in one read.
      byte[] buf = new byte[(int) Math.min(256 * 1024, in.size() + 1)];
      ByteBuffer bb = ByteBuffer.wrap(buf);
      int n;
      while ((n = in.read(bb.clear())) > 0) {
        digest.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
