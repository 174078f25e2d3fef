package dev.scpsync.transport.sftp;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.sshd.common.util.buffer.Buffer;
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

  private final SftpRequests requests;
  private final byte[] handle;
  private final int depth;
  private final Acked acked;
  private final Deque<Pending> inFlight = new ArrayDeque<>();

  /**
   * @param depth how many writes may wait for their status at once
   */
  WriteWindow(SftpRequests requests, byte[] handle, int depth, Acked acked) {
    this.requests = requests;
    this.handle = handle;
    this.depth = depth;
    this.acked = acked;
  }

  /** Sends {@code length} bytes of {@code data} to be written at {@code offset}; may wait for the oldest. */
  void write(long offset, byte[] data, int length) throws IOException {
    while (inFlight.size() >= depth) {
      awaitOldest();
    }
    int id = requests.write(handle, offset, data, length);
    requests.flush();
    inFlight.add(new Pending(id, offset + length, length));
    // Take the acknowledgements already there, so that what is confirmed (a chunk for the
    // journal) keeps up with the server instead of waiting until the window is full.
    while (!inFlight.isEmpty()) {
      Buffer ready = requests.poll(inFlight.peek().id());
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
      requests.receive(p.id());
    }
    inFlight.clear();
  }

  private void awaitOldest() throws IOException {
    Pending oldest = inFlight.poll();
    handle(oldest, requests.receive(oldest.id()));
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
