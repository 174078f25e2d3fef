package dev.scpsync.transport.sftp;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.RawSftpClient;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * Writes into one open SFTP handle with several requests in flight, each acknowledged in order.
 * By hand rather than MINA's async stream because callers need to know which bytes the server has
 * confirmed (a chunk for the journal, a range of a delta) and to write at any offset.
 *
 * <p>Not thread-safe: one file, one thread.
 */
final class WriteWindow {
  /** Receives each write the server acknowledged, in the order they were sent. */
  interface Acked {
    void acked(long end, int length) throws IOException;
  }

  private record Pending(int id, long end, int length) {}

  private final RawSftpClient raw;
  private final byte[] handle;
  private final int depth;
  private final Acked acked;
  private final Deque<Pending> inFlight = new ArrayDeque<>();

  /**
   * @param depth how many writes may wait for their status at once
   */
  WriteWindow(RawSftpClient raw, byte[] handle, int depth, Acked acked) {
    this.raw = raw;
    this.handle = handle;
    this.depth = depth;
    this.acked = acked;
  }

  /** Sends {@code length} bytes of {@code data} to be written at {@code offset}; may wait for the oldest. */
  void write(long offset, byte[] data, int length) throws IOException {
    while (inFlight.size() >= depth) {
      awaitOldest();
    }
    Buffer write = new ByteArrayBuffer(length + handle.length + 32, false);
    write.putBytes(handle);
    write.putLong(offset);
    write.putBytes(data, 0, length);
    int id = raw.write(SftpConstants.SSH_FXP_WRITE, write).getId();
    inFlight.add(new Pending(id, offset + length, length));
    // Take the acknowledgements already there, so that what is confirmed (a chunk for the
    // journal) keeps up with the server instead of waiting until the window is full.
    while (!inFlight.isEmpty()) {
      Buffer ready = raw.receive(inFlight.peek().id(), Duration.ZERO);
      if (ready == null) {
        break;
      }
      handle(inFlight.poll(), ready);
    }
  }

  /** Waits until every write sent is acknowledged. */
  void finish() throws IOException {
    while (!inFlight.isEmpty()) {
      awaitOldest();
    }
  }

  /**
   * Reads the replies still owed after a failure, so that the channel stays in step for the next
   * file; their outcome no longer matters.
   */
  void abandon() throws IOException {
    for (Pending p : inFlight) {
      raw.receive(p.id());
    }
    inFlight.clear();
  }

  private void awaitOldest() throws IOException {
    Pending oldest = inFlight.poll();
    handle(oldest, raw.receive(oldest.id()));
  }

  private void handle(Pending oldest, Buffer reply) throws IOException {
    SftpException refused = SftpReplies.error(reply, "write at " + (oldest.end() - oldest.length()));
    if (refused != null) {
      abandon();
      throw refused;
    }
    acked.acked(oldest.end(), oldest.length());
  }
}
