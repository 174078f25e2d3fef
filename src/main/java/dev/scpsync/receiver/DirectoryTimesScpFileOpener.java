package dev.scpsync.receiver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.scp.common.ScpTransferEventListener;
import org.apache.sshd.scp.common.helpers.DefaultScpFileOpener;
import org.apache.sshd.scp.common.helpers.ScpTimestampCommandDetails;

/**
 * MINA's SCP file handling, except that {@code scp -rp} uploads keep the directories' mtimes.
 *
 * <p>Why: MINA's sink stamps a directory with the time the client sent as soon as it creates it,
 * then writes the directory's entries, which moves its mtime to "now". OpenSSH's sink stamps it
 * after the directory's end record, and so do we: the time is noted here and applied again when
 * MINA reports the end of the folder.
 */
final class DirectoryTimesScpFileOpener extends DefaultScpFileOpener
    implements ScpTransferEventListener {

  // Weak keys: an aborted transfer never reports its folder's end, and must not leak an entry.
  private final Map<Path, ScpTimestampCommandDetails> pending =
      Collections.synchronizedMap(new WeakHashMap<>());

  @Override
  public Path resolveIncomingFilePath(
      Session session,
      Path localPath,
      String name,
      boolean preserve,
      Set<PosixFilePermission> permissions,
      ScpTimestampCommandDetails time)
      throws IOException {
    Path resolved =
        super.resolveIncomingFilePath(session, localPath, name, preserve, permissions, time);
    if (preserve && time != null && Files.isDirectory(resolved)) {
      pending.put(resolved, time);
    }
    return resolved;
  }

  @Override
  public void endFolderEvent(
      Session session,
      FileOperation op,
      Path file,
      Set<PosixFilePermission> permissions,
      Throwable thrown)
      throws IOException {
    ScpTimestampCommandDetails time = pending.remove(file);
    if (op == FileOperation.RECEIVE && time != null && thrown == null) {
      Files.getFileAttributeView(file, BasicFileAttributeView.class)
          .setTimes(
              FileTime.from(time.getLastModifiedTime(), TimeUnit.MILLISECONDS),
              FileTime.from(time.getLastAccessTime(), TimeUnit.MILLISECONDS),
              null);
    }
  }
}
