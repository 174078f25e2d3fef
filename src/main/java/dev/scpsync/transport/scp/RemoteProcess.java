package dev.scpsync.transport.scp;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * One command running on the server over an exec channel: its stdin, stdout, stderr and exit
 * status.
 *
 * <p>Nothing here waits forever. Every read of stdout and every write to stdin that makes no
 * progress for {@code idle} fails (MINA's window timeouts, set per channel), as do the channel open
 * and the wait for the exit status. Stderr is collected as it arrives (the first 64 KiB) so that a
 * chatty command never stalls the channel's flow control.
 */
final class RemoteProcess implements Closeable {
  private static final int STDERR_LIMIT = 64 * 1024;
  /** Waits before asking again for a refused channel: 10 ms, doubling, 310 ms in all. */
  private static final long REFUSED_FIRST_WAIT_MS = 10;
  private static final long REFUSED_LAST_WAIT_MS = 160;

  private final ClientSession session;
  private final ChannelExec channel;
  private final BoundedBuffer stderr = new BoundedBuffer(STDERR_LIMIT);
  private final Duration idle;
  private InputStream stdout;

  private RemoteProcess(ClientSession session, ChannelExec channel, Duration idle) {
    this.session = session;
    this.channel = channel;
    this.idle = idle;
  }

  /**
   * Starts {@code command} (run by the user's login shell on the server).
   *
   * <p>A server at its limit of channels per connection (OpenSSH's {@code MaxSessions}) refuses the
   * channel, also for a moment after one of ours closed: it frees a channel only after it has
   * handled our close, and the request that follows may be read first. So a refused channel is
   * asked for again a few times, briefly, while the session lives.
   *
   * @throws IOException when the channel cannot be opened, e.g. because the session is gone
   */
  static RemoteProcess start(ClientSession session, String command, Duration idle)
      throws IOException {
    for (long wait = REFUSED_FIRST_WAIT_MS; ; wait *= 2) {
      try {
        return tryStart(session, command, idle);
      } catch (IOException e) {
        boolean alive = session.isOpen() && !session.isClosing();
        if (!refused(e) || wait > REFUSED_LAST_WAIT_MS || !alive) {
          throw e;
        }
      }
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted starting '" + abbreviate(command) + "'");
      }
    }
  }

  /** Whether the server said no to the channel itself (not to the session or the command). */
  static boolean refused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SshChannelOpenException) {
        return true;
      }
    }
    return false;
  }

  private static RemoteProcess tryStart(ClientSession session, String command, Duration idle)
      throws IOException {
    ChannelExec channel;
    try {
      channel = session.createExecChannel(command);
    } catch (IllegalStateException e) {
      // MINA's way of saying the session is closing: for us the session is lost, like any other.
      throw new IOException("cannot start '" + abbreviate(command) + "': " + e.getMessage(), e);
    }
    CoreModuleProperties.WINDOW_TIMEOUT.set(channel, idle);
    CoreModuleProperties.WAIT_FOR_SPACE_TIMEOUT.set(channel, idle);
    RemoteProcess process = new RemoteProcess(session, channel, idle);
    // A stream of our own (rather than MINA's pipe) so stderr never has to be read to flow.
    channel.setErr(process.stderr);
    try {
      channel.open().verify(idle);
    } catch (IOException | RuntimeException e) {
      channel.close(true);
      throw new IOException("cannot start '" + abbreviate(command) + "': " + e.getMessage(), e);
    }
    process.stdout = new BufferedInputStream(channel.getInvertedOut(), 64 * 1024);
    return process;
  }

  /** The command's standard output (buffered; bulk reads pass straight through). */
  InputStream stdout() {
    return stdout;
  }

  /** The command's standard input. */
  OutputStream stdin() {
    return channel.getInvertedIn();
  }

  /** Flushes and sends EOF on stdin. */
  void closeStdin() throws IOException {
    channel.getInvertedIn().close();
  }

  /** What the command wrote to stderr so far, control characters removed. */
  String stderr() {
    return ServerText.clean(stderr.toByteArray());
  }

  /**
   * Waits (at most {@code idle}) for the exit status; -1 when the server sent none (killed by a
   * signal, or a server that does not report it).
   */
  int exitStatus() throws IOException {
    Set<ClientChannelEvent> events =
        channel.waitFor(
            EnumSet.of(ClientChannelEvent.EXIT_STATUS, ClientChannelEvent.CLOSED), idle);
    if (events.contains(ClientChannelEvent.TIMEOUT)) {
      throw new IOException("no exit status within " + idle.toSeconds() + " s");
    }
    Integer status = channel.getExitStatus();
    return status == null ? -1 : status;
  }

  /** Whether the SSH session under this channel is still usable. */
  boolean sessionAlive() {
    return session.isOpen() && !session.isClosing();
  }

  /**
   * Closes the channel the way SSH asks: our CLOSE goes to the server, without waiting for its
   * reply. An immediate close (MINA's {@code close(true)}) sends nothing, and when it comes before
   * the server's own CLOSE (a command that just ended: EOF first, exit status and CLOSE a moment
   * later) the server keeps the channel forever. OpenSSH counts each one against MaxSessions (10
   * by default), so a long-lived session ran out of channels after some dozens of batches and was
   * lost.
   */
  @Override
  public void close() {
    channel.close(false);
  }

  static String abbreviate(String command) {
    String clean = ServerText.clean(command);
    return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
  }

  /** Keeps the first {@code limit} bytes written and drops the rest. */
  private static final class BoundedBuffer extends OutputStream {
    private final byte[] bytes;
    private int size;

    BoundedBuffer(int limit) {
      bytes = new byte[limit];
    }

    @Override
    public synchronized void write(int b) {
      if (size < bytes.length) {
        bytes[size++] = (byte) b;
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      int n = Math.min(len, bytes.length - size);
      System.arraycopy(b, off, bytes, size, n);
      size += n;
    }

    synchronized byte[] toByteArray() {
      return java.util.Arrays.copyOf(bytes, size);
    }
  }
}
