package dev.scpsync.transport.sftp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.RawSftpClient;
import org.apache.sshd.sftp.client.SftpMessage;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * An SFTP channel as {@link PipelinedUploads} and {@link WriteWindow} use it: requests queued
 * without waiting for their replies, and replies taken by request id. A reply buffer holds the whole packet from position 0
 * (length, type, id, payload), as {@link SftpReplies} reads it.
 */
interface SftpRequests {
  /** Queues a request; it is on its way at the latest at the next {@link #flush}. */
  int send(int type, Buffer payload) throws IOException;

  /** Sends what is queued, and surfaces a lost channel instead of waiting for replies. */
  void flush() throws IOException;

  /** The reply to {@code id}, waiting for it. */
  Buffer receive(int id) throws IOException;

  /** The reply to {@code id} if it is already there, else null. */
  Buffer poll(int id) throws IOException;

  /** Queues a write of {@code length} bytes of {@code data} at {@code offset} of an open handle. */
  default int write(byte[] handle, long offset, byte[] data, int length) throws IOException {
    Buffer write = new ByteArrayBuffer(length + handle.length + 32, false);
    write.putBytes(handle);
    write.putLong(offset);
    write.putBytes(data, 0, length);
    return send(SftpConstants.SSH_FXP_WRITE, write);
  }

  /** Opens an existing file for writing on this channel and waits for its handle. */
  default byte[] openForWrite(String path) throws IOException {
    return open(path, SftpConstants.SSH_FXF_WRITE);
  }

  /**
   * Opens a file on this channel with SFTP v3 {@code pflags} and no attributes, and waits for its
   * handle.
   */
  default byte[] open(String path, int pflags) throws IOException {
    int id = send(SftpConstants.SSH_FXP_OPEN, openRequest(path, pflags));
    flush();
    Buffer reply = receive(id);
    if (SftpReplies.typeOf(reply) == SftpConstants.SSH_FXP_HANDLE) {
      return reply.getBytes();
    }
    throw SftpReplies.error(reply, "cannot open " + path);
  }

  /** The payload of an SSH_FXP_OPEN of {@code path} with SFTP v3 {@code pflags} and no attributes. */
  static Buffer openRequest(String path, int pflags) {
    Buffer open = new ByteArrayBuffer();
    open.putString(path, StandardCharsets.UTF_8);
    open.putUInt(pflags);
    open.putUInt(0); // no attributes
    return open;
  }

  /** Closes a handle and waits for the server's answer (for a written file: its data is in place). */
  default void closeHandle(byte[] handle) throws IOException {
    Buffer close = new ByteArrayBuffer();
    close.putBytes(handle);
    call(SftpConstants.SSH_FXP_CLOSE, close, "close");
  }

  /**
   * Sends one request and waits for its status.
   *
   * @throws SftpException when the server answers anything but OK ({@code what} says to what)
   */
  default void call(int type, Buffer payload, String what) throws IOException {
    int id = send(type, payload);
    flush();
    SftpException refused = SftpReplies.error(receive(id), what);
    if (refused != null) {
      throw refused;
    }
  }

  /**
   * MINA's own client: each request is written as its own SSH packet as soon as it is queued (MINA
   * waits for the previous one to be written first), so {@link #flush} only checks for failed
   * writes.
   */
  static SftpRequests of(RawSftpClient raw) {
    return new SftpRequests() {
      /** Write futures not yet known to be complete; checked in bulk, never one by one. */
      private final Deque<SftpMessage> unsent = new ArrayDeque<>();

      @Override
      public int send(int type, Buffer payload) throws IOException {
        SftpMessage message = raw.write(type, payload);
        unsent.add(message);
        return message.getId();
      }

      @Override
      public void flush() throws IOException {
        while (!unsent.isEmpty() && unsent.peek().getFuture().isDone()) {
          unsent.poll().waitUntilSent();
        }
      }

      @Override
      public Buffer receive(int id) throws IOException {
        return raw.receive(id);
      }

      @Override
      public Buffer poll(int id) throws IOException {
        return raw.receive(id, Duration.ZERO);
      }
    };
  }
}
