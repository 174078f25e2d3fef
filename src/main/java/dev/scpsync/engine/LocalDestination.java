package dev.scpsync.engine;

import dev.scpsync.scan.LocalScanner;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.Remote;
import dev.scpsync.transport.TempNames;
import dev.scpsync.transport.TransferListener;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A pull: the plan is carried out in a local directory, file content coming from a remote. */
final class LocalDestination implements Destination {
  private final Path root;
  private final Remote source;
  private final long bwlimit;

  /** @param bwlimit most bytes of file content a second, 0 for no limit */
  LocalDestination(Path root, Remote source, long bwlimit) {
    this.root = root;
    this.source = source;
    this.bwlimit = bwlimit;
  }

  @Override
  public List<Problem> delete(List<Entry> entries) {
    List<Problem> problems = new ArrayList<>();
    for (Entry e : entries) {
      try {
        Path p = LocalPaths.resolveInside(root, e.path());
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          deleteTree(p);
        } else {
          Files.deleteIfExists(p);
        }
      } catch (IOException x) {
        problems.add(new Problem(e.path(), "cannot delete: " + x.getMessage()));
      }
    }
    return problems;
  }

  private static void deleteTree(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Override
  public List<Problem> mkdirs(List<Entry> directories) {
    List<Problem> problems = new ArrayList<>();
    for (Entry d : directories) {
      try {
        Path p = LocalPaths.resolveInside(root, d.path());
        LocalPaths.requireRealParentInside(root, p);
        Files.createDirectory(p);
        setMode(p, d.mode());
      } catch (IOException | UnsupportedOperationException x) {
        problems.add(new Problem(d.path(), "cannot create directory: " + x.getMessage()));
      }
    }
    return problems;
  }

  @Override
  public void transfer(List<Entry> files, TransferListener listener) throws IOException {
    List<FileTransfer> batch = new ArrayList<>();
    Map<FileTransfer, Path> finals = new HashMap<>();
    for (Entry e : files) {
      try {
        Path target = LocalPaths.resolveInside(root, e.path());
        LocalPaths.requireRealParentInside(root, target);
        Path temp = LocalPaths.resolveInside(root, TempNames.beside(e.path()));
        FileTransfer t = new FileTransfer(e, temp);
        batch.add(t);
        finals.put(t, target);
      } catch (IOException x) {
        listener.failed(new FileTransfer(e, root), x);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    try {
      source.download(batch, Throttle.limit(new TransferListener() {
        @Override
        public void bytes(long count) {
          listener.bytes(count);
        }

        @Override
        public void done(FileTransfer file) {
          try {
            Files.setLastModifiedTime(file.local(), FileTime.from(file.entry().mtime()));
            setMode(file.local(), file.entry().mode());
            Files.move(file.local(), finals.get(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            listener.done(file);
          } catch (IOException | UnsupportedOperationException x) {
            deleteQuietly(file.local());
            listener.failed(file, x);
          }
        }

        @Override
        public void failed(FileTransfer file, Exception cause) {
          deleteQuietly(file.local());
          listener.failed(file, cause);
        }
      }, bwlimit));
    } finally {
      for (FileTransfer t : batch) {
        deleteQuietly(t.local());
      }
    }
  }

  @Override
  public List<Problem> symlinks(List<Entry> links) {
    List<Problem> problems = new ArrayList<>();
    for (Entry link : links) {
      try {
        Path target = LocalPaths.resolveInside(root, link.path());
        LocalPaths.requireRealParentInside(root, target);
        Path temp = LocalPaths.resolveInside(root, TempNames.beside(link.path()));
        Files.createSymbolicLink(temp, Path.of(link.linkTarget()));
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | UnsupportedOperationException x) {
        problems.add(new Problem(link.path(), "cannot create symlink: " + x.getMessage()));
      }
    }
    return problems;
  }

  @Override
  public List<Problem> setAttributes(List<Entry> entries) {
    List<Problem> problems = new ArrayList<>();
    for (Entry e : entries) {
      try {
        Path p = LocalPaths.resolveInside(root, e.path());
        setMode(p, e.mode());
        Files.setLastModifiedTime(p, FileTime.from(e.mtime()));
      } catch (IOException | UnsupportedOperationException x) {
        problems.add(new Problem(e.path(), "cannot set mode/mtime: " + x.getMessage()));
      }
    }
    return problems;
  }

  @Override
  public List<Problem> rename(java.util.SequencedMap<String, String> fromTo) {
    List<Problem> problems = new ArrayList<>();
    for (var move : fromTo.entrySet()) {
      try {
        Path from = LocalPaths.resolveInside(root, move.getKey());
        Path to = LocalPaths.resolveInside(root, move.getValue());
        LocalPaths.requireRealParentInside(root, to);
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException x) {
        problems.add(new Problem(move.getKey(), "cannot rename: " + x.getMessage()));
      }
    }
    return problems;
  }

  private static void setMode(Path p, int mode) throws IOException {
    try {
      Files.setPosixFilePermissions(p, LocalScanner.toPermissions(mode));
    } catch (UnsupportedOperationException notPosix) {
      // a non-POSIX file system keeps its own permission model
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a leftover temp file has a recognisable name and is never mistaken for content
    }
  }
}
