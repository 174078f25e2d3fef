package dev.scpsync.transport.scp;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import dev.scpsync.tree.Snapshot;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the NUL-separated records that {@link FindListing}'s script prints into a {@link Snapshot}.
 * No I/O of its own beyond the stream it is given.
 *
 * <p>Two formats, announced by a first line. {@code gnu}: six fields per entry from GNU find's
 * {@code -printf '%y\0%m\0%s\0%T@\0%l\0%P\0'} (type letter, octal mode, size, mtime as seconds with
 * a fraction, link target, path). {@code posix}: the output of {@code stat -c '%f %s %Y'} (hex
 * st_mode, size, whole seconds), link target, path. NUL is the one byte a path cannot hold, so any
 * name, newlines included, parses.
 *
 * <p>Names that are not valid UTF-8 cannot become {@link Entry} paths: each is reported as a {@link
 * Problem} (shown with replacement characters) and left out, together with everything below it.
 */
final class ListingParser {
  private static final int MAX_FIELD = 1 << 20;

  private final List<Entry> entries = new ArrayList<>();
  private final List<Problem> problems = new ArrayList<>();
  private final List<byte[]> skippedDirectories = new ArrayList<>();

  /** Bytes of the field being read; grown as needed, reused from field to field. */
  private byte[] field = new byte[256];
  private final byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;
  private final InputStream in;
  private final boolean wholeSeconds;

  private ListingParser(InputStream in, boolean wholeSeconds) {
    this.in = in;
    this.wholeSeconds = wholeSeconds;
  }

  /**
   * Parses the whole stream. Written for a listing of 100,000 entries read by a JVM that has just
   * started: no per-byte locking or buffer objects, no decimal arithmetic for the common time
   * format, no UTF-8 decoder for ASCII names (most of them).
   */
  static Snapshot parse(InputStream in, List<Problem> extraProblems) throws IOException {
    return parse(in, extraProblems, false);
  }

  /** {@link #parse(InputStream, List)}, with every mtime cut to whole seconds if asked. */
  static Snapshot parse(InputStream in, List<Problem> extraProblems, boolean wholeSeconds) throws IOException {
    ListingParser parser = new ListingParser(in, wholeSeconds);
    parser.problems.addAll(extraProblems);
    return parser.parseAll();
  }

  private Snapshot parseAll() throws IOException {
    String format = new String(readField('\n', true), StandardCharsets.US_ASCII);
    int fields =
        switch (format) {
          case "gnu" -> 6;
          case "posix" -> 3;
          default ->
              throw new IOException("unexpected listing header '" + ServerText.clean(format) + "'");
        };
    byte[][] record = new byte[fields][];
    while (true) {
      byte[] first = readField(0, false);
      if (first == null) {
        break;
      }
      record[0] = first;
      for (int i = 1; i < fields; i++) {
        record[i] = readField(0, true);
      }
      try {
        if (fields == 6) {
          addGnu(record);
        } else {
          addPosix(record);
        }
      } catch (NumberFormatException e) {
        throw new IOException("malformed entry in the remote listing: " + e.getMessage(), e);
      }
    }
    return Snapshot.of(entries, problems);
  }

  private void addGnu(byte[][] r) throws IOException {
    char type = r[0].length == 1 ? (char) r[0][0] : '?';
    int mode = Integer.parseInt(ascii(r[1]), 8);
    long size = Long.parseLong(ascii(r[2]));
    Instant mtime = fastSeconds(r[3]);
    add(type, mode, size, mtime != null ? mtime : parseSeconds(ascii(r[3])), r[4], r[5]);
  }

  /**
   * GNU find's usual "1700000000.1234567890" (non-negative, up to nine digits of fraction used),
   * without {@link BigDecimal}; null for anything else, which {@link #parseSeconds} then reads.
   */
  static Instant fastSeconds(byte[] text) {
    int i = 0;
    long seconds = 0;
    while (i < text.length && text[i] >= '0' && text[i] <= '9') {
      if (i >= 18) {
        return null;
      }
      seconds = seconds * 10 + (text[i++] - '0');
    }
    if (i == 0) {
      return null;
    }
    int nanos = 0;
    if (i < text.length) {
      if (text[i++] != '.') {
        return null;
      }
      int digits = 0;
      for (; i < text.length; i++, digits++) {
        if (text[i] < '0' || text[i] > '9') {
          return null;
        }
        if (digits < 9) {
          nanos = nanos * 10 + (text[i] - '0');
        }
      }
      for (; digits < 9; digits++) {
        nanos *= 10;
      }
    }
    return Instant.ofEpochSecond(seconds, nanos);
  }

  private void addPosix(byte[][] r) throws IOException {
    String[] stat = ascii(r[0]).split(" ");
    if (stat.length != 3) {
      throw new IOException("malformed stat output '" + ServerText.clean(r[0]) + "'");
    }
    int raw = Integer.parseInt(stat[0], 16);
    char type =
        switch (raw & 0170000) {
          case 0100000 -> 'f';
          case 0040000 -> 'd';
          case 0120000 -> 'l';
          default -> '?';
        };
    add(type, raw & 07777, Long.parseLong(stat[1]), parseSeconds(stat[2]), r[1], r[2]);
  }

  private void add(char type, int mode, long size, Instant exact, byte[] target, byte[] rawPath) {
    Instant mtime = wholeSeconds && exact.getNano() != 0 ? Instant.ofEpochSecond(exact.getEpochSecond()) : exact;
    for (byte[] dir : skippedDirectories) {
      if (isBelow(rawPath, dir)) {
        return;
      }
    }
    String path = strictUtf8(rawPath);
    if (path == null) {
      problems.add(new Problem(lossy(rawPath), "name is not valid UTF-8; left alone"));
      if (type == 'd') {
        skippedDirectories.add(rawPath);
      }
      return;
    }
    switch (type) {
      case 'f' -> entries.add(Entry.file(path, size, mtime, mode));
      case 'd' -> entries.add(Entry.directory(path, mtime, mode));
      case 'l' -> {
        String linkTarget = strictUtf8(target);
        if (linkTarget == null) {
          problems.add(new Problem(path, "symlink target is not valid UTF-8; left alone"));
        } else {
          entries.add(Entry.symlink(path, linkTarget, mtime));
        }
      }
      default ->
          problems.add(new Problem(path, "not a regular file, directory or symlink; left alone"));
    }
  }

  /** "1700000000.1234567890" (GNU prints ten digits) or "1700000000"; may be negative. */
  static Instant parseSeconds(String text) throws IOException {
    try {
      BigDecimal value = new BigDecimal(text);
      BigDecimal seconds = value.setScale(0, RoundingMode.FLOOR);
      int nanos =
          value.subtract(seconds).movePointRight(9).setScale(0, RoundingMode.FLOOR).intValueExact();
      return Instant.ofEpochSecond(seconds.longValueExact(), nanos);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IOException("malformed time '" + ServerText.clean(text) + "' in the listing", e);
    }
  }

  private static boolean isBelow(byte[] path, byte[] dir) {
    if (path.length <= dir.length || path[dir.length] != '/') {
      return false;
    }
    for (int i = 0; i < dir.length; i++) {
      if (path[i] != dir[i]) {
        return false;
      }
    }
    return true;
  }

  private static String strictUtf8(byte[] bytes) {
    boolean ascii = true;
    for (byte b : bytes) {
      if (b < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(bytes, StandardCharsets.US_ASCII);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String lossy(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String ascii(byte[] bytes) {
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  /**
   * Reads up to {@code end}. At end of stream: null if nothing was read and {@code required} is
   * false, else an EOFException (the listing was cut off).
   */
  private byte[] readField(int end, boolean required) throws IOException {
    int length = 0;
    int b;
    while ((b = next()) != end) {
      if (b < 0) {
        if (!required && length == 0) {
          return null;
        }
        throw new EOFException("the remote listing ended in the middle of an entry");
      }
      if (length >= MAX_FIELD) {
        throw new IOException(
            "a field of the remote listing is longer than " + MAX_FIELD + " bytes");
      }
      if (length == field.length) {
        field = java.util.Arrays.copyOf(field, field.length * 2);
      }
      field[length++] = (byte) b;
    }
    return java.util.Arrays.copyOf(field, length);
  }

  /** The next byte of the stream, or -1 at its end. */
  private int next() throws IOException {
    if (position == limit) {
      limit = in.read(buffer);
      position = 0;
      if (limit <= 0) {
        limit = 0;
        return -1;
      }
    }
    return buffer[position++] & 0xff;
  }
}
