package dev.scpsync.transport.scp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * The records of the SCP protocol (rcp's, as OpenSSH and dropbear speak it) and its one-byte status
 * replies.
 *
 * <pre>
 *   T&lt;mtime-s&gt; &lt;mtime-us&gt; &lt;atime-s&gt; &lt;atime-us&gt;\n  times of the next C or D
 *   C&lt;mode: 4 octal digits&gt; &lt;size&gt; &lt;name&gt;\n          a file; size bytes follow
 *   D&lt;mode&gt; 0 &lt;name&gt;\n                              enter (or create) a directory
 *   E\n                                              leave it
 *   status: 0 ok | 1 text\n (error, go on) | 2 text\n (fatal, peer exits)
 * </pre>
 *
 * Parsing is strict: a record that is not exactly of this form is a protocol error, never guessed
 * at.
 */
final class ScpMessages {
  /** OpenSSH reads records into 2 KiB; a little more room for long UTF-8 names. */
  static final int MAX_LINE = 8192;

  static final byte[] OK = {0};
  static final byte[] END_DIRECTORY = {'E', '\n'};

  /** A C or D record. {@code name} holds the raw bytes the peer sent. */
  record Record(char type, int mode, long size, byte[] name) {
    String printableName() {
      return ServerText.clean(name);
    }
  }

  private ScpMessages() {}

  /**
   * Reads one status reply. Returns on 0; throws {@link ScpException} with the peer's text (control
   * characters removed) on 1 or 2, and on any other byte.
   *
   * @throws EOFException when the peer closed its side instead of replying
   */
  static void readAck(InputStream in) throws IOException {
    checkStatus(in.read(), in);
  }

  /** {@link #readAck} for a status byte already read. */
  static void checkStatus(int status, InputStream in) throws IOException {
    if (status == 0) {
      return;
    }
    if (status < 0) {
      throw new EOFException("the remote scp ended without replying");
    }
    if (status == 1 || status == 2) {
      String text = withoutScpPrefix(ServerText.clean(readLine(in)));
      throw new ScpException(
          status == 1 ? ScpException.Kind.REFUSED : ScpException.Kind.FATAL, text);
    }
    // Typically a login script printing to stdout, which breaks every binary protocol. Show
    // what already arrived, but never wait for more: the peer may be waiting for us.
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    seen.write(status);
    int b;
    while (seen.size() < 200 && in.available() > 0 && (b = in.read()) >= 0 && b != '\n') {
      seen.write(b);
    }
    throw new ScpException(
        ScpException.Kind.PROTOCOL,
        "unexpected reply from the remote scp: '" + ServerText.clean(seen.toByteArray()) + "'");
  }

  private static String withoutScpPrefix(String text) {
    return text.startsWith("scp: ") ? text.substring(5) : text;
  }

  /** Reads up to and excluding '\n'. */
  static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the remote scp ended in the middle of a line");
      }
      if (b == '\n') {
        return line.toByteArray();
      }
      if (line.size() >= MAX_LINE) {
        throw new ScpException(
            ScpException.Kind.PROTOCOL,
            "the remote scp sent a line longer than " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
  }

  /**
   * Times for the next record. The protocol carries microseconds; sub-microsecond digits are
   * dropped (truncated, so a time never moves into the next microsecond).
   */
  static byte[] times(Instant mtime, Instant atime) {
    return ascii(
        "T"
            + mtime.getEpochSecond()
            + " "
            + mtime.getNano() / 1000
            + " "
            + atime.getEpochSecond()
            + " "
            + atime.getNano() / 1000
            + "\n");
  }

  /** Whether {@link #times} can carry an instant: OpenSSH refuses negative seconds. */
  static boolean carriesTime(Instant t) {
    return t.getEpochSecond() >= 0;
  }

  static byte[] file(int mode, long size, String name) {
    return utf8(String.format("C%04o %d %s\n", mode & 07777, size, name));
  }

  /** Enters a directory. The mode only matters if the sink has to create it (it should exist). */
  static byte[] enterDirectory(String name) {
    return utf8("D0755 0 " + name + "\n");
  }

  /** A status 1 that we send: the peer skips the file and goes on. */
  static byte[] error(String message) {
    return utf8("\1scp: " + ServerText.clean(message) + "\n");
  }

  /** Parses a T record (without its newline), checking its form. */
  static void checkTimes(byte[] line) throws ScpException {
    String s = new String(line, StandardCharsets.ISO_8859_1);
    if (!s.matches("T\\d{1,19} \\d{1,6} \\d{1,19} \\d{1,6}")) {
      throw new ScpException(
          ScpException.Kind.PROTOCOL,
          "malformed time record from the remote scp: '" + ServerText.clean(line) + "'");
    }
  }

  /** Parses a C or D record (without its newline). */
  static Record parseRecord(byte[] line) throws ScpException {
    // C0644 12 name: type, 4 octal digits, space, decimal size, space, name (may hold spaces).
    int i = 1;
    boolean ok = line.length >= 8 && (line[0] == 'C' || line[0] == 'D');
    int mode = 0;
    for (; ok && i < 5; i++) {
      ok = line[i] >= '0' && line[i] <= '7';
      mode = (mode << 3) | (line[i] - '0');
    }
    ok = ok && line[i++] == ' ';
    long size = 0;
    int digits = 0;
    while (ok && i < line.length && line[i] >= '0' && line[i] <= '9') {
      size = size * 10 + (line[i++] - '0');
      ok = ++digits <= 18;
    }
    ok = ok && digits > 0 && i < line.length && line[i++] == ' ';
    if (!ok) {
      throw new ScpException(
          ScpException.Kind.PROTOCOL,
          "malformed record from the remote scp: '" + ServerText.clean(line) + "'");
    }
    return new Record((char) line[0], mode, size, Arrays.copyOfRange(line, i, line.length));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
