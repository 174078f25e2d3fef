package dev.scpsync.transport.scp;

import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.TransferListener;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of SCP: one {@code scp -f -p -- PATH...} on the server sends the requested
 * files in order, and each one is written into exactly its {@link FileTransfer#local()}.
 *
 * <p>The server is not trusted (CVE-2019-6111: a server answering {@code scp -f} could send any
 * name and old clients wrote it). Here the server's names only ever get compared, never used: a
 * record must be a C record whose name equals, byte for byte, the last element of the path that is
 * due next, and whose size equals the listed size. A D or E record, a different or extra name, a
 * name with '/', "." or "..", an empty name, a size that differs, or data after the last file is a
 * protocol violation: that file fails, nothing more is read from the channel, and the caller
 * continues with a new one.
 *
 * <p>A local file is created (never replaced: {@code CREATE_NEW}) only after its record passed
 * those checks, and deleted again when the transfer fails.
 *
 * <p>Why our own codec rather than MINA's {@code ScpClient}: see {@link ScpSink}.
 */
final class ScpSource implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(ScpSource.class);

  private final RemoteProcess scp;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] buffer = new byte[ScpSink.COPY_BUFFER];
  private IOException broken;

  private ScpSource(RemoteProcess scp) {
    this.scp = scp;
    this.in = scp.stdout();
    this.out = scp.stdin();
  }

  /** The command line for a chunk of remote paths. */
  static String command(List<String> remotePaths) {
    StringBuilder sb = new StringBuilder("scp -f -p --");
    for (String path : remotePaths) {
      sb.append(' ').append(ShellQuoting.quote(path));
    }
    return sb.toString();
  }

  static ScpSource open(ClientSession session, List<String> remotePaths, Duration idle)
      throws IOException {
    RemoteProcess scp = RemoteProcess.start(session, command(remotePaths), idle);
    ScpSource source = new ScpSource(scp);
    // The source waits for one status byte before it starts sending.
    source.out.write(ScpMessages.OK);
    source.out.flush();
    return source;
  }

  /**
   * Receives the files of the chunk, in the order they were requested, reporting each to the
   * listener.
   *
   * @return how many files were dealt with (done or failed); fewer than {@code files.size()} when
   *     the channel had to be given up, in which case the caller carries on with a new one
   * @throws IOException when the SSH session was lost
   */
  int receive(List<FileTransfer> files, TransferListener listener) throws IOException {
    for (int i = 0; i < files.size(); i++) {
      FileTransfer file = files.get(i);
      boolean last = i == files.size() - 1;
      try {
        if (!receiveOne(file, listener, last)) {
          return i + 1;
        }
      } catch (IOException e) {
        if (!(e instanceof ScpException) && !scp.sessionAlive()) {
          throw e;
        }
        // A broken or stalled channel, or a server that broke the protocol: this file fails and
        // nothing more is read from this channel.
        if (!(e instanceof ScpException)) {
          broken = e;
        }
        failed(file, e, listener);
        return i + 1;
      }
    }
    return files.size();
  }

  /**
   * One file. Returns true when the channel is still in step (the file may have failed cleanly),
   * false after a failure that leaves it unusable. ScpException: the server broke the protocol.
   */
  private boolean receiveOne(FileTransfer file, TransferListener listener, boolean last)
      throws IOException {
    String path = file.entry().path();
    byte[] expectedName = file.entry().name().getBytes(StandardCharsets.UTF_8);
    boolean timed = false;
    while (true) {
      int type = in.read();
      if (type < 0) {
        throw new EOFException("the remote scp ended before sending it" + stderrSuffix());
      }
      switch (type) {
        case 1, 2 -> {
          String text = ServerText.clean(ScpMessages.readLine(in));
          failed(
              file,
              new IOException(
                  "remote scp: " + (text.startsWith("scp: ") ? text.substring(5) : text)),
              listener);
          return type == 1;
        }
        case 'T' -> {
          byte[] rest = ScpMessages.readLine(in);
          ScpMessages.checkTimes(withType('T', rest));
          if (timed) {
            // One T per file; a server repeating them would keep us busy for ever.
            throw new ScpException(
                ScpException.Kind.PROTOCOL, "the server sent two time records in a row; refused");
          }
          timed = true;
          out.write(ScpMessages.OK);
          out.flush();
        }
        case 'C' -> {
          ScpMessages.Record record =
              ScpMessages.parseRecord(withType('C', ScpMessages.readLine(in)));
          check(record, expectedName, file);
          return transfer(file, record.size(), listener, last);
        }
        default -> {
          byte[] rest = ScpMessages.readLine(in);
          throw new ScpException(
              ScpException.Kind.PROTOCOL,
              "the server sent '"
                  + ServerText.clean(withType((byte) type, rest))
                  + "' where the file "
                  + path
                  + " was expected; refused");
        }
      }
    }
  }

  private static void check(ScpMessages.Record record, byte[] expectedName, FileTransfer file)
      throws ScpException {
    byte[] name = record.name();
    String shown = record.printableName();
    if (name.length == 0
        || Arrays.equals(name, new byte[] {'.'})
        || Arrays.equals(name, new byte[] {'.', '.'})
        || indexOf(name, (byte) '/') >= 0) {
      throw new ScpException(
          ScpException.Kind.PROTOCOL,
          "the server sent a file named '" + shown + "', which is not a plain name; refused");
    }
    if (!Arrays.equals(name, expectedName)) {
      throw new ScpException(
          ScpException.Kind.PROTOCOL,
          "the server sent a file named '"
              + shown
              + "' where "
              + file.entry().path()
              + " was expected; refused");
    }
    if (record.size() != file.entry().size()) {
      throw new ScpException(
          ScpException.Kind.PROTOCOL,
          "the server sent "
              + record.size()
              + " bytes for "
              + file.entry().path()
              + " where the listing had "
              + file.entry().size()
              + "; refused (the file changed?)");
    }
  }

  private boolean transfer(FileTransfer file, long size, TransferListener listener, boolean last)
      throws IOException {
    OutputStream local;
    try {
      local =
          Files.newOutputStream(
              file.local(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      // Tell the source to skip this file; it goes on with the next one.
      out.write(ScpMessages.error("cannot write the local file"));
      out.flush();
      failed(file, e, listener);
      return true;
    }
    IOException writeFailure = null;
    boolean complete = false;
    try (local) {
      out.write(ScpMessages.OK);
      out.flush();
      long remaining = size;
      while (remaining > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
        if (n < 0) {
          throw new IOException("the remote scp ended in the middle of the file" + stderrSuffix());
        }
        if (writeFailure == null) {
          try {
            local.write(buffer, 0, n);
          } catch (IOException e) {
            writeFailure = e; // keep reading: the stream must stay in step
          }
        }
        remaining -= n;
        listener.bytes(n);
      }
      int status = in.read();
      if (status > 2) {
        throw new ScpException(
            ScpException.Kind.PROTOCOL,
            "the server sent more than the "
                + size
                + " bytes it announced for "
                + file.entry().path()
                + "; refused");
      }
      ScpMessages.checkStatus(status, in);
      out.write(writeFailure == null ? ScpMessages.OK : ScpMessages.error("local write failed"));
      out.flush();
      complete = writeFailure == null;
    } catch (IOException e) {
      deleteQuietly(file);
      if (e instanceof ScpException se && se.channelUsable()) {
        failed(file, new IOException("remote scp: " + se.getMessage(), se), listener);
        out.write(ScpMessages.OK);
        out.flush();
        return true;
      }
      throw e;
    }
    if (!complete) {
      deleteQuietly(file);
      failed(file, writeFailure, listener);
      return true;
    }
    if (last && !endsCleanly()) {
      deleteQuietly(file);
      failed(
          file,
          new IOException("the server sent more than was requested after it; refused"),
          listener);
      return false;
    }
    listener.done(file);
    return true;
  }

  /** After the last requested file, the source must end: any further byte is unrequested. */
  private boolean endsCleanly() throws IOException {
    scp.closeStdin();
    return in.read() < 0;
  }

  private void failed(FileTransfer file, Exception cause, TransferListener listener) {
    log.debug("download of {} failed: {}", file.entry().path(), cause.getMessage());
    listener.failed(file, cause);
  }

  private static void deleteQuietly(FileTransfer file) {
    try {
      Files.deleteIfExists(file.local());
    } catch (IOException e) {
      log.debug("cannot remove partial download {}: {}", file.local(), e.getMessage());
    }
  }

  private String stderrSuffix() {
    String stderr = scp.stderr();
    return stderr.isEmpty() ? "" : " (" + stderr + ")";
  }

  private static byte[] withType(byte type, byte[] rest) {
    byte[] line = new byte[rest.length + 1];
    line[0] = type;
    System.arraycopy(rest, 0, line, 1, rest.length);
    return line;
  }

  private static byte[] withType(char type, byte[] rest) {
    return withType((byte) type, rest);
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Why the channel was given up on, when it broke off (end of stream, timeout) rather than the
   * server breaking the protocol; null otherwise.
   */
  IOException broken() {
    return broken;
  }

  /** Ends the channel; returns the exit status of the remote scp (-1 if none). */
  int finish() throws IOException {
    scp.closeStdin();
    return scp.exitStatus();
  }

  boolean sessionAlive() {
    return scp.sessionAlive();
  }

  @Override
  public void close() {
    scp.close();
  }
}
