package dev.scpsync.transport.scp;

import dev.scpsync.transport.TransferListener;
import dev.scpsync.tree.Entry;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.sshd.client.session.ClientSession;

/**
 * The sending side of SCP: one {@code scp -r -t -d -- ROOT} on the server takes many files, moving
 * between directories with D/E records, so a batch costs one exec channel rather than one per file
 * or per directory.
 *
 * <p>Why our own codec rather than MINA's {@code ScpClient}: that one opens a channel per call,
 * copies through an 8 KiB buffer, sends whole-second times and pastes paths into the command line
 * unquoted. Here the path is quoted, the copy buffer is 1 MiB, times carry microseconds, and every
 * reply is checked.
 *
 * <p>No {@code -p}: with it, scp would also chmod every existing directory we pass through to the
 * mode in our D record, and we do not know those modes. Without it the sink still applies the T
 * record's times; exact file modes are set by the rename script ({@link FinalRenames}).
 *
 * <p>A D record for a directory that does not exist makes the sink create it (mode 0755). The
 * engine creates parents first, so that only happens when one vanished in the meantime; a parent
 * that is a regular file is refused, and every file below it fails with the sink's message.
 *
 * <p>A sink that refused a file may keep that file's times for the next record at the same level
 * (OpenSSH resets them only after a successful write), so after any refusal the caller should
 * retire it ({@link #reusable()}) and open a fresh one.
 *
 * <p>Not thread-safe; one file at a time (the protocol is lock-step).
 */
final class ScpSink implements Closeable {
  static final int COPY_BUFFER = 1024 * 1024;

  private final RemoteProcess scp;
  private final InputStream replies;
  private final OutputStream out;
  private final ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER);
  private final List<String> cwd = new ArrayList<>();
  private boolean reusable = true;

  private ScpSink(RemoteProcess scp) {
    this.scp = scp;
    this.replies = scp.stdout();
    this.out = scp.stdin();
  }

  /**
   * Starts the sink in {@code root}.
   *
   * @throws IOException when scp cannot start there (missing root, no scp binary, session gone)
   */
  static ScpSink open(ClientSession session, String root, Duration idle) throws IOException {
    RemoteProcess scp =
        RemoteProcess.start(session, "scp -r -t -d -- " + ShellQuoting.quote(root), idle);
    try {
      ScpMessages.readAck(scp.stdout());
      return new ScpSink(scp);
    } catch (IOException e) {
      String stderr = scp.stderr();
      scp.close();
      throw new IOException(
          "cannot start 'scp -t' in "
              + root
              + ": "
              + e.getMessage()
              + (stderr.isEmpty() ? "" : " (" + stderr + ")"),
          e);
    }
  }

  /** Whether more files may be sent through this sink. */
  boolean reusable() {
    return reusable;
  }

  /**
   * Writes one file under its temporary name.
   *
   * @return null when the file arrived complete, else why it did not; the sink can still be used
   *     (see {@link #reusable()})
   * @throws IOException when the channel broke; the sink is unusable
   */
  Exception send(Upload upload, TransferListener listener) throws IOException {
    Entry entry = upload.file().entry();
    try (FileChannel local = FileChannel.open(upload.file().local(), StandardOpenOption.READ)) {
      long size = local.size();
      if (size != entry.size()) {
        return new IOException(
            "local file changed since it was scanned ("
                + size
                + " bytes, "
                + entry.size()
                + " expected)");
      }
      Exception notThere = enter(upload.directory());
      if (notThere != null) {
        return notThere;
      }
      Instant mtime = entry.mtime();
      boolean timed = ScpMessages.carriesTime(mtime);
      if (timed) {
        out.write(ScpMessages.times(mtime, Instant.now()));
      }
      out.write(ScpMessages.file(entry.mode(), size, upload.tempName()));
      out.flush();
      if (timed) {
        ScpMessages.readAck(replies);
      }
      return content(local, 0, size, true, null, listener);
    } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
      // Only the local open throws these: nothing was sent for this file.
      return e;
    }
  }

  /**
   * Writes one range of a local file as a file of its own (a part of a chunked upload), mode 0600,
   * adding what it reads to {@code digest}.
   *
   * @return null when the part arrived complete, else why it did not
   * @throws IOException when the channel broke; the sink is unusable
   */
  Exception sendPart(List<String> directory, String name, FileChannel local, long offset, long length,
      dev.scpsync.transport.LocalSha256 digest, TransferListener listener) throws IOException {
    Exception notThere = enter(directory);
    if (notThere != null) {
      return notThere;
    }
    out.write(ScpMessages.file(0600, length, name));
    out.flush();
    return content(local, offset, length, false, digest, listener);
  }

  /**
   * After a file header: the server's go-ahead, the bytes, our OK (or the local problem), the
   * server's final ack. Returns null when the file arrived, else why it did not; a refusal by the
   * server leaves the sink unusable.
   */
  private Exception content(FileChannel local, long offset, long length, boolean whole,
      dev.scpsync.transport.LocalSha256 digest, TransferListener listener) throws IOException {
    Exception refused = refusal(() -> ScpMessages.readAck(replies));
    if (refused != null) {
      reusable = false;
      return refused;
    }
    String localProblem = copy(local, offset, length, whole, digest, listener);
    out.write(localProblem == null ? ScpMessages.OK : ScpMessages.error(localProblem));
    out.flush();
    refused = refusal(() -> ScpMessages.readAck(replies));
    if (refused != null) {
      reusable = false;
      return refused;
    }
    return localProblem == null ? null : new IOException(localProblem);
  }

  /**
   * Streams exactly {@code size} bytes from {@code offset}; returns a problem with the local file,
   * or null. {@code whole}: the range is the whole file, which must not have grown.
   */
  private String copy(FileChannel local, long offset, long size, boolean whole, dev.scpsync.transport.LocalSha256 digest,
      TransferListener listener) throws IOException {
    long sent = 0;
    String problem = null;
    while (sent < size) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), size - sent));
      int n = 0;
      if (problem == null) {
        try {
          n = readFully(local, offset + sent);
          if (digest != null) {
            digest.update(buffer.array(), 0, n);
          }
          if (n < buffer.limit()) {
            problem = "local file shrank while being sent";
          }
        } catch (IOException e) {
          problem = "cannot read the local file: " + e.getMessage();
        }
      }
      if (n < buffer.limit()) {
        // Pad with zeros to keep the protocol in step; the status byte then reports the problem.
        Arrays.fill(buffer.array(), n, buffer.limit(), (byte) 0);
      }
      out.write(buffer.array(), 0, buffer.limit());
      sent += buffer.limit();
      listener.bytes(buffer.limit());
    }
    if (problem == null && whole) {
      try {
        if (local.read(ByteBuffer.allocate(1), offset + size) > 0) {
          problem = "local file grew while being sent";
        }
      } catch (IOException e) {
        problem = "cannot read the local file: " + e.getMessage();
      }
    }
    return problem;
  }

  private int readFully(FileChannel local, long position) throws IOException {
    while (buffer.hasRemaining() && local.read(buffer, position + buffer.position()) >= 0) {
      // keep reading: a file channel may return short counts
    }
    return buffer.position();
  }

  /** Moves to a directory with E and D records; returns why it could not, or null. */
  private Exception enter(List<String> target) throws IOException {
    int common = 0;
    while (common < cwd.size()
        && common < target.size()
        && cwd.get(common).equals(target.get(common))) {
      common++;
    }
    while (cwd.size() > common) {
      out.write(ScpMessages.END_DIRECTORY);
      out.flush();
      ScpMessages.readAck(replies);
      cwd.remove(cwd.size() - 1);
    }
    for (int i = common; i < target.size(); i++) {
      out.write(ScpMessages.enterDirectory(target.get(i)));
      out.flush();
      // A refused D leaves the sink where it was: it is not inside, so no E is owed.
      Exception refused = refusal(() -> ScpMessages.readAck(replies));
      if (refused != null) {
        return new IOException(
            "cannot enter directory "
                + String.join("/", target.subList(0, i + 1))
                + ": "
                + refused.getMessage());
      }
      cwd.add(target.get(i));
    }
    return null;
  }

  private interface Step {
    void run() throws IOException;
  }

  /** Runs a step; a per-file refusal (status 1) becomes the return value, anything worse throws. */
  private static Exception refusal(Step step) throws IOException {
    try {
      step.run();
      return null;
    } catch (ScpException e) {
      if (!e.channelUsable()) {
        throw e;
      }
      return e;
    }
  }

  /**
   * Leaves all directories and ends the sink cleanly.
   *
   * @return the exit status of the remote scp (1 after any refusal)
   */
  int finish() throws IOException {
    enter(List.of());
    scp.closeStdin();
    return scp.exitStatus();
  }

  /** What the remote scp wrote to stderr. */
  String stderr() {
    return scp.stderr();
  }

  boolean sessionAlive() {
    return scp.sessionAlive();
  }

  @Override
  public void close() {
    scp.close();
  }
}
