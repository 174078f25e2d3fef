package dev.scpsync.transport.sftp;

import static dev.scpsync.transport.sftp.SftpReplies.typeOf;

import dev.scpsync.transport.FileDigest;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.TempNames;
import dev.scpsync.transport.TransferListener;
import dev.scpsync.tree.Entry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * Uploads many small files (each fits in one write request) over one SFTP v3 channel with the
 * requests of many files in flight at once, from one thread.
 *
 * <p>Written by hand because MINA's {@code SftpClient} offers one blocking call per request: a
 * file costs open, write, fsetstat, close and rename, five round trips, and every call waits for
 * its packet to be written before returning. Running files on many threads hides the latency but
 * pays a thread hand-off per request. Here up to a window of requests are outstanding, queued on an
 * {@link SftpRequests} channel (MINA's, one packet per request, or an {@link SftpPipe}, many per
 * packet) and sent together, and replies are read in the order they were sent (the order
 * sftp-server answers in), taking every reply already there before waiting again.
 *
 * <p>Per file: OPEN (exclusive create of the temp name), then WRITE + FSETSTAT + CLOSE together,
 * then — only when all three succeeded — the rename over the final path. The rename is never sent
 * before the write is confirmed, so a failed write can never put partial content in place; the
 * temp file of a failed file is removed.
 */
final class PipelinedUploads {
  /** The window over MINA's channel, where each request is a packet of its own. */
  static final int WINDOW = 64;
  private static final String POSIX_RENAME = "posix-rename@openssh.com";
  /** Open flags of a temporary file: created here, by us alone. */
  static final int CREATE_EXCLUSIVE = SftpConstants.SSH_FXF_WRITE | SftpConstants.SSH_FXF_CREAT | SftpConstants.SSH_FXF_EXCL;

  private final SftpRequests channel;
  private final int window;
  private final UnaryOperator<String> remotePath;
  private final Deque<Expect> inFlight = new ArrayDeque<>();

  /** A reply we wait for, and what to do with it. */
  private record Expect(int id, ReplyHandler handler) {}

  @FunctionalInterface
  private interface ReplyHandler {
    void accept(Buffer reply) throws IOException;
  }

  /** @param window most requests outstanding at once */
  PipelinedUploads(SftpRequests channel, int window, UnaryOperator<String> remotePath) {
    this.channel = channel;
    this.window = window;
    this.remotePath = remotePath;
  }

  void upload(List<FileTransfer> files, TransferListener listener) throws IOException {
    Iterator<FileTransfer> next = files.iterator();
    while (next.hasNext() || !inFlight.isEmpty()) {
      while (inFlight.size() < window && next.hasNext()) {
        start(next.next(), listener);
      }
      channel.flush();
      if (inFlight.isEmpty()) {
        continue;
      }
      // Wait for the oldest reply, then take every reply that is already there without waiting.
      Expect e = inFlight.poll();
      e.handler().accept(channel.receive(e.id()));
      while (!inFlight.isEmpty()) {
        Buffer ready = channel.poll(inFlight.peek().id());
        if (ready == null) {
          break;
        }
        inFlight.poll().handler().accept(ready);
      }
    }
  }

  private int send(int type, Buffer payload) throws IOException {
    return channel.send(type, payload);
  }

  private void start(FileTransfer f, TransferListener listener) throws IOException {
    byte[] data;
    try (InputStream in = Files.newInputStream(f.local())) {
      data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, f.entry().size() + 1));
    } catch (IOException e) {
      listener.failed(f, e);
      return;
    }
    if (data.length != f.entry().size()) {
      listener.failed(f, ChunkedSftpUpload.changed(f, data.length + " bytes read, " + f.entry().size() + " expected"));
      return;
    }
    String temp = remotePath.apply(TempNames.beside(f.entry().path()));
    // No attributes at create: mode and mtime are set exactly by FSETSTAT.
    int id = send(SftpConstants.SSH_FXP_OPEN, SftpRequests.openRequest(temp, CREATE_EXCLUSIVE));
    inFlight.add(new Expect(id, reply -> opened(f, data, temp, reply, listener)));
  }

  private void opened(FileTransfer f, byte[] data, String temp, Buffer reply, TransferListener listener) throws IOException {
    int type = typeOf(reply);
    if (type != SftpConstants.SSH_FXP_HANDLE) {
      listener.failed(f, statusError(reply, "cannot create " + temp));
      return;
    }
    byte[] handle = reply.getBytes();
    Outcome outcome = new Outcome();
    if (data.length > 0) {
      int writeId = channel.write(handle, 0, data, data.length);
      inFlight.add(new Expect(writeId, r -> outcome.check(r, "write")));
    }
    int setstatId = send(SftpConstants.SSH_FXP_FSETSTAT, modeAndTimes(handle, f.entry()));
    inFlight.add(new Expect(setstatId, r -> outcome.check(r, "set mode/mtime")));
    Buffer close = new ByteArrayBuffer();
    close.putBytes(handle);
    int closeId = send(SftpConstants.SSH_FXP_CLOSE, close);
    inFlight.add(new Expect(closeId, r -> {
      outcome.check(r, "close");
      if (outcome.error != null) {
        remove(temp);
        listener.failed(f, outcome.error);
        return;
      }
      rename(f, data, temp, listener);
    }));
  }

  private void rename(FileTransfer f, byte[] data, String temp, TransferListener listener) throws IOException {
    Buffer rename = new ByteArrayBuffer();
    rename.putString(POSIX_RENAME);
    rename.putString(temp, StandardCharsets.UTF_8);
    rename.putString(remotePath.apply(f.entry().path()), StandardCharsets.UTF_8);
    int id = send(SftpConstants.SSH_FXP_EXTENDED, rename);
    inFlight.add(new Expect(id, r -> {
      Outcome outcome = new Outcome();
      outcome.check(r, "rename into place");
      if (outcome.error != null) {
        remove(temp);
        listener.failed(f, outcome.error);
      } else {
        listener.bytes(data.length);
        listener.digested(f, FileDigest.of(data));
        listener.done(f);
      }
    }));
  }

  /** An FSETSTAT payload that gives an open file its entry's mode and mtime (seconds, as SFTP v3 keeps them). */
  static Buffer modeAndTimes(byte[] handle, Entry e) {
    Buffer setstat = new ByteArrayBuffer();
    setstat.putBytes(handle);
    setstat.putUInt(SftpConstants.SSH_FILEXFER_ATTR_PERMISSIONS | SftpConstants.SSH_FILEXFER_ATTR_ACMODTIME);
    setstat.putUInt(e.mode());
    setstat.putUInt(Instant.now().getEpochSecond());
    setstat.putUInt(e.mtime().getEpochSecond());
    return setstat;
  }

  /** Best effort: the reply is read (and ignored) in turn like any other. */
  private void remove(String temp) throws IOException {
    Buffer remove = new ByteArrayBuffer();
    remove.putString(temp, StandardCharsets.UTF_8);
    int id = send(SftpConstants.SSH_FXP_REMOVE, remove);
    inFlight.add(new Expect(id, r -> {}));
  }

  /** The first failure among a file's requests. */
  private static final class Outcome {
    SftpException error;

    void check(Buffer reply, String step) {
      if (error == null) {
        error = SftpReplies.error(reply, step);
      }
    }
  }

  private static SftpException statusError(Buffer reply, String context) {
    reply.rpos(0);
    reply.getInt();
    int type = reply.getUByte();
    reply.getInt();
    if (type == SftpConstants.SSH_FXP_STATUS) {
      int code = reply.getInt();
      return new SftpException(code, context + ": " + reply.getString());
    }
    return new SftpException(SftpConstants.SSH_FX_BAD_MESSAGE, context + ": unexpected reply type " + type);
  }
}
