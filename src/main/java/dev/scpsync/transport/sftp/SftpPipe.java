package dev.scpsync.transport.sftp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.common.SftpConstants;

/**
 * An SFTP v3 channel of our own that sends many requests in one SSH packet (for streams of small
 * files, where every file costs five requests) and large writes with one copy of their data (for
 * large files).
 *
 * <p>Written by hand because MINA's SFTP client writes each request as its own SSH packet and waits
 * for the previous one to be written first. A burst of 1,000 small files was then 5,000 packets
 * each way (sftp-server answers each request as it reads it), each with its encryption, its socket
 * write, and a hand-off between threads on both sides; the client's JVM spent ~0.65 ms of CPU per
 * file. Here the requests queued between two {@link #flush}es go out as one channel write (MINA cuts
 * it into packets of the server's maximum size), and sftp-server, reading them together, answers
 * them together. Only what {@link PipelinedUploads} and {@link WriteWindow} need is here: framing, the version handshake
 * and replies by id; everything else stays on MINA's client.
 *
 * <p>Thread-safe: several uploads may share a channel, each waiting for its own replies (which
 * arrive on MINA's I/O thread). A write that waits for the server's window holds the others back.
 */
final class SftpPipe implements SftpRequests, AutoCloseable {
  private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);
  /** Queued requests are sent without waiting for {@link #flush} beyond this many bytes. */
  private static final int FLUSH_AT = 256 * 1024;
  /** Longest reply accepted; OpenSSH's own limit for a whole SFTP packet is 256 KiB. */
  private static final int MAX_REPLY = 1024 * 1024;

  private final ChannelSubsystem channel;
  private final OutputStream out;
  private final Replies replies;
  private final ByteArrayBuffer pending = new ByteArrayBuffer(64 * 1024, false);
  private int nextId = 1;

  private SftpPipe(ChannelSubsystem channel, Replies replies) {
    this.channel = channel;
    this.out = channel.getInvertedIn();
    this.replies = replies;
  }

  /**
   * Opens an SFTP channel on {@code session} and agrees on version 3.
   *
   * @throws IOException when the server refuses the channel (OpenSSH's {@code MaxSessions}) or has
   *     no SFTP subsystem; nothing is left open then
   */
  static SftpPipe open(ClientSession session) throws IOException {
    ChannelSubsystem channel = session.createSubsystemChannel("sftp");
    Replies replies = new Replies();
    channel.setOut(replies);
    channel.setErr(OutputStream.nullOutputStream());
    channel.addCloseFutureListener(f -> replies.closed());
    try {
      channel.open().verify(OPEN_TIMEOUT);
      SftpPipe pipe = new SftpPipe(channel, replies);
      pipe.handshake();
      return pipe;
    } catch (IOException | RuntimeException e) {
      channel.close(false);
      throw e;
    }
  }

  private void handshake() throws IOException {
    pending.putUInt(5);
    pending.putByte((byte) SftpConstants.SSH_FXP_INIT);
    pending.putUInt(SftpConstants.SFTP_V3);
    flush();
    Buffer version = replies.take(0, OPEN_TIMEOUT);
    version.getInt();
    version.getUByte();
    long agreed = version.getUInt();
    if (agreed != SftpConstants.SFTP_V3) {
      throw new IOException("the server answered SFTP version " + agreed + " to our 3");
    }
  }

  @Override
  public synchronized int send(int type, Buffer payload) throws IOException {
    int id = nextId++;
    pending.putUInt(1 + 4 + payload.available());
    pending.putByte((byte) type);
    pending.putUInt(id);
    pending.putBuffer(payload);
    if (pending.available() >= FLUSH_AT) {
      flush();
    }
    return id;
  }

  /**
   * Framed straight into the channel's stream, which copies the data once into SSH packets: no
   * request buffer, and none of the copies MINA's async stream makes of a write larger than a
   * packet (it copies the unsent rest again after every packet, ~3.5 times the data for a 255 KiB
   * write in 32 KiB packets, and chains a future per packet). Goes out at the next {@link #flush}
   * at the latest; what was queued before goes first.
   */
  @Override
  public synchronized int write(byte[] handle, long offset, byte[] data, int length) throws IOException {
    flushPending();
    int id = nextId++;
    ByteArrayBuffer header = new ByteArrayBuffer(64, false);
    header.putUInt(1 + 4 + 4 + handle.length + 8 + 4 + length);
    header.putByte((byte) SftpConstants.SSH_FXP_WRITE);
    header.putUInt(id);
    header.putBytes(handle);
    header.putLong(offset);
    header.putUInt(length);
    out.write(header.array(), header.rpos(), header.available());
    out.write(data, 0, length);
    return id;
  }

  @Override
  public synchronized void flush() throws IOException {
    flushPending();
    out.flush();
  }

  private void flushPending() throws IOException {
    if (pending.available() > 0) {
      out.write(pending.array(), pending.rpos(), pending.available());
      pending.clear();
    }
  }

  @Override
  public Buffer receive(int id) throws IOException {
    return replies.take(id, null);
  }

  @Override
  public Buffer poll(int id) throws IOException {
    return replies.poll(id);
  }

  boolean isOpen() {
    return channel.isOpen() && !channel.isClosing();
  }

  @Override
  public void close() {
    channel.close(false); // graceful: sftp-server sees EOF and exits
  }

  /**
   * Channel data from the server, cut into SFTP packets and kept by id (the version reply, which
   * has no id, under 0) until taken. Written to by MINA's I/O thread.
   */
  static final class Replies extends OutputStream {
    private final Map<Integer, Buffer> byId = new HashMap<>();
    private byte[] partial = new byte[64 * 1024];
    private int partialLength;
    private boolean versionSeen;
    private String failure;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] data, int offset, int length) throws IOException {
      if (partialLength + length > partial.length) {
        byte[] grown = new byte[Math.max(partial.length * 2, partialLength + length)];
        System.arraycopy(partial, 0, grown, 0, partialLength);
        partial = grown;
      }
      System.arraycopy(data, offset, partial, partialLength, length);
      partialLength += length;
      int start = 0;
      while (partialLength - start >= 4) {
        int size = ((partial[start] & 0xff) << 24) | ((partial[start + 1] & 0xff) << 16)
            | ((partial[start + 2] & 0xff) << 8) | (partial[start + 3] & 0xff);
        if (size < 1 || size > MAX_REPLY) {
          failure = "the server sent an SFTP packet of " + Integer.toUnsignedString(size) + " bytes";
          notifyAll();
          throw new IOException(failure);
        }
        if (partialLength - start < 4 + size) {
          break;
        }
        byte[] packet = new byte[4 + size];
        System.arraycopy(partial, start, packet, 0, packet.length);
        start += packet.length;
        int id = 0;
        if (versionSeen) {
          id = size >= 5 ? ((packet[5] & 0xff) << 24) | ((packet[6] & 0xff) << 16) | ((packet[7] & 0xff) << 8)
              | (packet[8] & 0xff) : -1;
        }
        versionSeen = true;
        byId.put(id, new ByteArrayBuffer(packet));
      }
      System.arraycopy(partial, start, partial, 0, partialLength - start);
      partialLength -= start;
      notifyAll();
    }

    synchronized void closed() {
      if (failure == null) {
        failure = "the SFTP channel closed";
      }
      notifyAll();
    }

    synchronized Buffer poll(int id) throws IOException {
      Buffer reply = byId.remove(id);
      if (reply == null && failure != null) {
        throw new IOException(failure);
      }
      return reply;
    }

    /** The reply to {@code id}, waiting at most {@code timeout} (null: until it comes or the channel ends). */
    synchronized Buffer take(int id, Duration timeout) throws IOException {
      long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
      try {
        while (true) {
          Buffer reply = poll(id);
          if (reply != null) {
            return reply;
          }
          if (timeout == null) {
            wait();
          } else {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              throw new IOException("no SFTP reply within " + timeout.toSeconds() + " s");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for an SFTP reply");
      }
    }
  }
}
