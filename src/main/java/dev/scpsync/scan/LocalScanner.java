package dev.scpsync.scan;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import dev.scpsync.tree.Snapshot;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Walks a local tree into a {@link Snapshot}. Symlinks are recorded as symlinks and never
 * followed. A path that vanishes or cannot be read mid-walk becomes a {@link Problem}, not a
 * failure. Works on any {@link java.nio.file.FileSystem}; on one without POSIX attributes, files
 * get mode 0644 and directories 0755. Excluded paths ({@link ExcludeRules}) are left out, and an
 * excluded directory is not descended into.
 */
public final class LocalScanner {
  private final ExcludeRules excludes;

  public LocalScanner(ExcludeRules excludes) {
    this.excludes = excludes;
  }

  /**
   * Scans the tree below {@code root} (the root itself is not an entry).
   *
   * @throws IOException when the root does not exist or is not a directory
   */
  public Snapshot scan(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new NoSuchFileException(root.toString(), null, Files.exists(root) ? "not a directory" : "no such directory");
    }
    return walk(root, root, Integer.MAX_VALUE);
  }

  /**
   * Looks at one path below {@code root} with the same rules as {@link #scan}: the entry at {@code
   * path} and, when {@code subtree}, everything below it, with paths relative to {@code root}. A
   * path that does not exist, or that is excluded (itself or through an ancestor), gives an empty
   * snapshot. This is how a watcher's hint is re-stated before the engine acts on it.
   *
   * @param path '/'-separated, relative to {@code root}; {@code ""} means the whole tree
   */
  public Snapshot scan(Path root, String path, boolean subtree) throws IOException {
    if (path.isEmpty()) {
      return scan(root);
    }
    Path start = root.resolve(path);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(start, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return Snapshot.empty();
    }
    if (excludes.excludesWithAncestors(path, attrs.isDirectory())) {
      return Snapshot.empty();
    }
    Snapshot found = walk(root, start, subtree ? Integer.MAX_VALUE : 0);
    // The start vanishing between the look and the walk is a deletion, not a problem.
    if (!found.problems().isEmpty() && found.size() == 0 && !Files.exists(start, LinkOption.NOFOLLOW_LINKS)) {
      return Snapshot.empty();
    }
    return found;
  }

  private Snapshot walk(Path root, Path start, int depth) throws IOException {
    List<Entry> entries = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    Files.walkFileTree(start, Set.of(), depth, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        if (dir.equals(root)) {
          return FileVisitResult.CONTINUE;
        }
        String rel = relative(root, dir);
        // Not descending is git's rule: nothing below an excluded directory can be re-included,
        // so checking each path's own match below is enough.
        if (excludes.excludes(rel, true)) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        entries.add(Entry.directory(rel, attrs.lastModifiedTime().toInstant(), mode(dir, attrs, 0755)));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isDirectory()) {
          return preVisitDirectory(file, attrs); // a directory at the depth limit: itself only
        }
        String rel = relative(root, file);
        if (excludes.excludes(rel, false)) {
          return FileVisitResult.CONTINUE;
        }
        if (attrs.isSymbolicLink()) {
          try {
            entries.add(Entry.symlink(rel, Files.readSymbolicLink(file).toString(), attrs.lastModifiedTime().toInstant()));
          } catch (IOException e) {
            problems.add(new Problem(rel, "cannot read symlink: " + e.getMessage()));
          }
        } else if (attrs.isRegularFile()) {
          entries.add(Entry.file(rel, attrs.size(), attrs.lastModifiedTime().toInstant(), mode(file, attrs, 0644)));
        } else {
          problems.add(new Problem(rel, "not a regular file, directory or symlink; skipped"));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) {
        String rel = relative(root, file);
        if (exc instanceof NoSuchFileException) {
          problems.add(new Problem(rel, "vanished during the scan"));
        } else {
          problems.add(new Problem(rel, "cannot read: " + exc.getMessage()));
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return Snapshot.of(entries, problems);
  }

  static String relative(Path root, Path p) {
    // The walk builds each path from the root's, so its text starts with the root's: cutting it
    // off is a substring, where relativize() and iterating its parts made paths per component.
    String r = root.toString();
    String s = p.toString();
    int prefix = r.isEmpty() ? 0 : r.endsWith("/") ? r.length() : r.length() + 1;
    if (s.length() > prefix && s.startsWith(r) && (prefix == r.length() || s.charAt(r.length()) == '/')) {
      return s.substring(prefix);
    }
    Path rel = root.relativize(p);
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      if (!sb.isEmpty()) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  /**
   * Permission bits; free when the walk's attributes are already POSIX ones (on Linux and macOS
   * the default provider hands out such objects), one more lstat otherwise.
   */
  static int mode(Path p, BasicFileAttributes attrs, int fallback) {
    if (attrs instanceof PosixFileAttributes posix) {
      return toMode(posix.permissions());
    }
    return mode(p, fallback);
  }

  static int mode(Path p, int fallback) {
    try {
      PosixFileAttributes posix = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return toMode(posix.permissions());
    } catch (UnsupportedOperationException | IOException e) {
      return fallback;
    }
  }

  /** Permission bits of a set of POSIX permissions (setuid/setgid/sticky are not visible to NIO). */
  public static int toMode(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      mode |= switch (p) {
        case OWNER_READ -> 0400;
        case OWNER_WRITE -> 0200;
        case OWNER_EXECUTE -> 0100;
        case GROUP_READ -> 040;
        case GROUP_WRITE -> 020;
        case GROUP_EXECUTE -> 010;
        case OTHERS_READ -> 04;
        case OTHERS_WRITE -> 02;
        case OTHERS_EXECUTE -> 01;
      };
    }
    return mode;
  }

  /** The POSIX permissions of mode bits. */
  public static Set<PosixFilePermission> toPermissions(int mode) {
    Set<PosixFilePermission> perms = java.util.EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        perms.add(order[bit]);
      }
    }
    return perms;
  }
}
