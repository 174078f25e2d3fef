package dev.scpsync.transport;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * SHA-256 of each fixed-size block of a file's content, in order; the last block may be shorter.
 * Kept in the state for what each target holds, so that the next version of a large file can be
 * sent as the blocks that differ.
 *
 * <p>SHA-256 rather than a fast non-cryptographic hash (rsync uses xxh128): a block whose hash
 * matches is not sent at all, and where the remote cannot hash the result there is no end-to-end
 * check behind it.
 *
 * @param blockSize bytes per block
 * @param digests the 32-byte digests of the blocks, concatenated
 */
public record BlockHashes(int blockSize, byte[] digests) {
  /** Bytes of one digest. */
  public static final int DIGEST_BYTES = 32;
  /** The smallest block: smaller ones would make the state's rows larger than they save. */
  public static final int MIN_BLOCK = 64 * 1024;
  /** Blocks are made larger rather than more numerous than this (256 KiB of digests a file). */
  public static final int TARGET_BLOCKS = 8192;
  private static final int MAX_BLOCK = 64 << 20;

  public BlockHashes {
    if (blockSize < MIN_BLOCK || blockSize > MAX_BLOCK) {
      throw new IllegalArgumentException("block size out of range: " + blockSize);
    }
    if (digests.length % DIGEST_BYTES != 0) {
      throw new IllegalArgumentException("digests not a whole number of SHA-256 values: " + digests.length);
    }
    digests = digests.clone();
  }

  /**
   * The block size for a file of {@code size} bytes: the smallest power of two from {@link
   * #MIN_BLOCK} that keeps it to about {@link #TARGET_BLOCKS} blocks (1 GiB: 128 KiB blocks).
   */
  public static int blockSizeFor(long size) {
    int block = MIN_BLOCK;
    while (block < MAX_BLOCK && size / block > TARGET_BLOCKS) {
      block <<= 1;
    }
    return block;
  }

  /** The digests, concatenated (a copy). */
  @Override
  public byte[] digests() {
    return digests.clone();
  }

  /** How many blocks: 0 for an empty file. */
  public int count() {
    return digests.length / DIGEST_BYTES;
  }

  /** Whether block {@code i} exists in both and has the same digest. */
  public boolean sameBlock(int i, BlockHashes other) {
    if (i >= count() || i >= other.count() || blockSize != other.blockSize) {
      return false;
    }
    int from = i * DIGEST_BYTES;
    return Arrays.equals(digests, from, from + DIGEST_BYTES, other.digests, from, from + DIGEST_BYTES);
  }

  /** The form kept in the state: the block size (4 bytes, big-endian), then the digests. */
  public byte[] encode() {
    return ByteBuffer.allocate(4 + digests.length).putInt(blockSize).put(digests).array();
  }

  /** Reads {@link #encode()}'s form; empty for anything else (a row from another version). */
  public static Optional<BlockHashes> decode(byte[] stored) {
    if (stored == null || stored.length < 4 || (stored.length - 4) % DIGEST_BYTES != 0) {
      return Optional.empty();
    }
    int blockSize = ByteBuffer.wrap(stored).getInt();
    if (blockSize < MIN_BLOCK || blockSize > MAX_BLOCK) {
      return Optional.empty();
    }
    return Optional.of(new BlockHashes(blockSize, Arrays.copyOfRange(stored, 4, stored.length)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockHashes b && b.blockSize == blockSize && Arrays.equals(b.digests, digests);
  }

  @Override
  public int hashCode() {
    return 31 * blockSize + Arrays.hashCode(digests);
  }

  @Override
  public String toString() {
    return count() + " blocks of " + blockSize + (count() == 0 ? "" : ", first " + HexFormat.of().formatHex(digests, 0, 4));
  }
}
