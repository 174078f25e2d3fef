package dev.scpsync.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of what an upload reads, kept as it goes: the digest of the whole file for the end to
 * end check, and of every chunk-aligned prefix for the journal.
 */
public final class LocalSha256 {
  private final MessageDigest digest;

  private LocalSha256(MessageDigest digest) {
    this.digest = digest;
  }

  /** A digest of nothing yet. */
  public static LocalSha256 start() {
    try {
      return new LocalSha256(MessageDigest.getInstance("SHA-256"));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * A digest of the first {@code bytes} bytes of a local file, to continue from there: a resumed
   * upload re-reads locally what it does not send again.
   */
  public static LocalSha256 ofPrefix(FileChannel file, long bytes) throws IOException {
    LocalSha256 d = start();
    d.update(file, 0, bytes);
    return d;
  }

  /** Adds {@code length} bytes of a local file from {@code offset}, read here (not sent). */
  public void update(FileChannel file, long offset, long length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    long done = 0;
    while (done < length) {
      buf.clear().limit((int) Math.min(buf.capacity(), length - done));
      int n = file.read(buf, offset + done);
      if (n < 0) {
        throw new IOException("local file shorter than " + (offset + length) + " bytes");
      }
      digest.update(buf.array(), 0, n);
      done += n;
    }
  }

  public void update(byte[] data, int offset, int length) {
    digest.update(data, offset, length);
  }

  /** Hex digest of everything so far; the digest goes on. */
  public String hex() {
    try {
      return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
    }
  }
}
