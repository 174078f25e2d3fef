package dev.scpsync.transport.sftp;

import dev.scpsync.transport.Futures;
import dev.scpsync.transport.RemoteListing;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import dev.scpsync.tree.Snapshot;
import dev.scpsync.tree.TreePaths;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * Lists a remote tree over SFTP breadth-first, every directory of a level in flight at once (one
 * virtual thread each, sharing the channel). Names a server sends are checked: nothing but a
 * plain child name of the listed directory is accepted.
 */
final class SftpLister {
  private final SftpClient sftp;
  private final ExecutorService workers;
  private final UnaryOperator<String> remote;
  private final String root;
  private final String description;

  SftpLister(SftpClient sftp, ExecutorService workers, UnaryOperator<String> remote, String root, String description) {
    this.sftp = sftp;
    this.workers = workers;
    this.remote = remote;
    this.root = root;
    this.description = description;
  }

  RemoteListing list() throws IOException {
    Attributes rootAttrs = lstatOrNull(sftp, root);
    if (rootAttrs == null) {
      return new RemoteListing(false, Snapshot.empty());
    }
    if (rootAttrs.isSymbolicLink()) {
      rootAttrs = sftp.stat(root);
    }
    if (!rootAttrs.isDirectory()) {
      throw new IOException(description + " is not a directory");
    }
    List<Entry> entries = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Problem> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    // Breadth-first, one task per directory; all directories of a level are in flight at once.
    List<String> level = List.of("");
    while (!level.isEmpty()) {
      List<Future<List<String>>> pending = new ArrayList<>();
      for (String dir : level) {
        pending.add(workers.submit(() -> listDirectory(dir, entries, problems)));
      }
      List<String> next = new ArrayList<>();
      for (Future<List<String>> f : pending) {
        next.addAll(Futures.await(f));
      }
      level = next;
    }
    return new RemoteListing(true, Snapshot.of(entries, problems));
  }

  private List<String> listDirectory(String dir, List<Entry> entries, List<Problem> problems) throws IOException {
    List<String> subdirs = new ArrayList<>();
    Iterable<DirEntry> listing;
    try {
      listing = sftp.readDir(dir.isEmpty() ? root : remote.apply(dir));
    } catch (SftpException e) {
      problems.add(new Problem(dir, "cannot list: " + e.getMessage()));
      return subdirs;
    }
    for (DirEntry d : listing) {
      String name = d.getFilename();
      if (name.equals(".") || name.equals("..")) {
        continue;
      }
      if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
        // A server must never make us address anything but a child of the listed directory.
        problems.add(new Problem(dir, "server listed an invalid name '" + name.replaceAll("\\p{Cntrl}", "?") + "'; ignored"));
        continue;
      }
      String path = TreePaths.join(dir, name);
      Attributes a = d.getAttributes();
      Instant mtime = a.getModifyTime() != null ? a.getModifyTime().toInstant() : Instant.EPOCH;
      int mode = a.getPermissions() & 07777;
      if (a.isDirectory()) {
        entries.add(Entry.directory(path, mtime, mode));
        subdirs.add(path);
      } else if (a.isSymbolicLink()) {
        try {
          entries.add(Entry.symlink(path, sftp.readLink(remote.apply(path)), mtime));
        } catch (SftpException e) {
          problems.add(new Problem(path, "cannot read symlink: " + e.getMessage()));
        }
      } else if (a.isRegularFile()) {
        entries.add(Entry.file(path, a.getSize(), mtime, mode));
      } else {
        problems.add(new Problem(path, "not a regular file, directory or symlink; left alone"));
      }
    }
    return subdirs;
  }

  static Attributes lstatOrNull(SftpClient sftp, String path) throws IOException {
    try {
      return sftp.lstat(path);
    } catch (SftpException e) {
      if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
        return null;
      }
      throw e;
    }
  }
}
