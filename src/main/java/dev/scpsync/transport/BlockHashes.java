package dev.scpsync.transport;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A digest of each fixed-size block of a file's content, in order; the last block may be shorter.
 * Kept in the state for what each target holds, so that the next version of a large file can be
 * sent as the blocks that differ.
 *
 * <p>Each digest is SHA-256 cut to its first 128 bits: a cryptographic hash rather than a fast
 * one (rsync uses xxh128), because a block whose digest matches is not sent at all; cut because a
 * 1 GiB file has 65,536 of them in the state, and 128 bits leave accidental collisions out of
 * reach. The whole result is checked with the full SHA-256 wherever the remote can hash.
 *
 * @param blockSize bytes per block
 * @param digests the {@link #DIGEST_BYTES}-byte digests of the blocks, concatenated
 */
public record BlockHashes(int blockSize, byte[] digests) {
  /** Bytes of one block digest. */
  public static final int DIGEST_BYTES = 16;
  /**
   * The smallest block: one page, so that a small edit costs about itself (a 4 KiB write in
   * place sends 4 KiB, or 8 KiB across a boundary).
   */
  public static final int MIN_BLOCK = 4 * 1024;
  /** Blocks are made larger rather than more numerous than this (1 MiB of digests a file). */
  public static final int TARGET_BLOCKS = 65_536;
  private static final int MAX_BLOCK = 64 << 20;

  public BlockHashes {
    if (blockSize < MIN_BLOCK || blockSize > MAX_BLOCK) {
      throw new IllegalArgumentException("block size out of range: " + blockSize);
    }
    if (digests.length % DIGEST_BYTES != 0) {
      throw new IllegalArgumentException("digests not a whole number of " + DIGEST_BYTES + "-byte values: " + digests.length);
    }
    digests = digests.clone();
  }

  /**
   * The block size for a file of {@code size} bytes: the smallest power of two from {@link
   * #MIN_BLOCK} that keeps it to {@link #TARGET_BLOCKS} blocks (up to 256 MiB: 4 KiB blocks; 1
   * GiB: 16 KiB).
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

  /**
   * The form kept in the state: the block size (4 bytes, big-endian), the digest length (1
   * byte), then the digests.
   */
  public byte[] encode() {
    return ByteBuffer.allocate(HEADER + digests.length).putInt(blockSize).put((byte) DIGEST_BYTES).put(digests).array();
  }

  /** Reads {@link #encode()}'s form; empty for anything else (a row written another way). */
  public static Optional<BlockHashes> decode(byte[] stored) {
    if (stored == null || stored.length < HEADER || (stored.length - HEADER) % DIGEST_BYTES != 0) {
      return Optional.empty();
    }
    ByteBuffer header = ByteBuffer.wrap(stored);
    int blockSize = header.getInt();
    if (blockSize < MIN_BLOCK || blockSize > MAX_BLOCK || header.get() != DIGEST_BYTES) {
      return Optional.empty();
    }
    return Optional.of(new BlockHashes(blockSize, Arrays.copyOfRange(stored, HEADER, stored.length)));
  }

  private static final int HEADER = 5;

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
