package dev.scpsync.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of what an upload reads, kept as it goes: the digest of the whole file for the end to
 * end check, of every chunk-aligned prefix for the journal, and, when asked for, of every block
 * for the next delta ({@link BlockHashes}).
 */
public final class LocalSha256 {
  private final MessageDigest digest;
  private final int blockSize;
  private final MessageDigest block;
  private final ByteArrayOutputStream blocks = new ByteArrayOutputStream();
  private long inBlock;

  private LocalSha256(int blockSize) {
    this(blockSize, true);
  }

  private LocalSha256(int blockSize, boolean whole) {
    this.digest = whole ? sha256() : null;
    this.blockSize = blockSize;
    this.block = blockSize > 0 ? sha256() : null;
  }

  /** A digest of nothing yet. */
  public static LocalSha256 start() {
    return new LocalSha256(0);
  }

  /** A digest of nothing yet that also keeps the digest of each block of {@code blockSize} bytes. */
  public static LocalSha256 withBlocks(int blockSize) {
    return new LocalSha256(blockSize);
  }

  /** Block digests only, no whole-file digest ({@link #hex()} is not available). */
  static LocalSha256 blocksOnly(int blockSize) {
    return new LocalSha256(blockSize, false);
  }

  /**
   * A digest of the first {@code bytes} bytes of a local file, to continue from there: a resumed
   * upload re-reads locally what it does not send again.
   */
  public static LocalSha256 ofPrefix(FileChannel file, long bytes) throws IOException {
    return ofPrefix(file, bytes, 0);
  }

  /** {@link #ofPrefix(FileChannel, long)} keeping block digests too ({@code blockSize} 0: not). */
  public static LocalSha256 ofPrefix(FileChannel file, long bytes, int blockSize) throws IOException {
    LocalSha256 d = new LocalSha256(blockSize);
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
      update(buf.array(), 0, n);
      done += n;
    }
  }

  public void update(byte[] data, int offset, int length) {
    if (digest != null) {
      digest.update(data, offset, length);
    }
    if (block == null) {
      return;
    }
    while (length > 0) {
      int n = (int) Math.min(length, blockSize - inBlock);
      block.update(data, offset, n);
      inBlock += n;
      offset += n;
      length -= n;
      if (inBlock == blockSize) {
        blocks.write(block.digest(), 0, BlockHashes.DIGEST_BYTES);
        inBlock = 0;
      }
    }
  }

  /**
   * The SHA-256 and block hashes of the first {@code bytes} bytes of a file, read once and hashed
   * on two threads (the whole-file digest here, the block digests by {@link
   * BackgroundBlockHashes}): on a machine with two cores or more this takes about the time of one
   * SHA-256 pass, not two.
   */
  public static FileDigest of(FileChannel file, long bytes, int blockSize) throws IOException {
    MessageDigest whole = sha256();
    try (BackgroundBlockHashes blocks = new BackgroundBlockHashes(blockSize)) {
      long done = 0;
      while (done < bytes) {
        // A new array each time: the block hasher reads it after this loop has moved on.
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(PIECE, bytes - done));
        while (buf.hasRemaining()) {
          if (file.read(buf, done + buf.position()) < 0) {
            throw new IOException("local file shorter than " + bytes + " bytes");
          }
        }
        whole.update(buf.array());
        blocks.add(buf.array(), buf.capacity());
        done += buf.capacity();
      }
      return new FileDigest(HexFormat.of().formatHex(whole.digest()), blocks.finish());
    }
  }

  /** Bytes read at a time by {@link #of}: at most 32 of them wait for the block hasher. */
  private static final int PIECE = 256 * 1024;

  /** Hex digest of everything so far; the digest goes on. */
  public String hex() {
    return HexFormat.of().formatHex(copy(digest).digest());
  }

  /**
   * The digests of the blocks read so far, the last one possibly short; the digest goes on.
   *
   * @throws IllegalStateException when this digest keeps no blocks
   */
  public BlockHashes blocks() {
    if (block == null) {
      throw new IllegalStateException("this digest keeps no block hashes");
    }
    byte[] done = blocks.toByteArray();
    if (inBlock == 0) {
      return new BlockHashes(blockSize, done);
    }
    byte[] last = copy(block).digest();
    byte[] all = java.util.Arrays.copyOf(done, done.length + BlockHashes.DIGEST_BYTES);
    System.arraycopy(last, 0, all, done.length, BlockHashes.DIGEST_BYTES);
    return new BlockHashes(blockSize, all);
  }

  private static MessageDigest copy(MessageDigest d) {
    try {
      return (MessageDigest) d.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
    }
  }

  /** A fresh SHA-256 digest. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
