package dev.scpsync.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * What of a new version of a file must be sent when the remote holds an old one: the byte ranges
 * of the blocks that are new or differ, adjacent blocks merged into one range. Everything else is
 * copied on the remote from the old version.
 *
 * @param ranges the ranges to send, in file order
 * @param bytes their total length
 */
public record BlockDelta(List<Range> ranges, long bytes) {
  /** {@code length} bytes from {@code offset}. */
  public record Range(long offset, long length) {}

  public BlockDelta {
    ranges = List.copyOf(ranges);
  }

  /**
   * The ranges of a file of {@code size} bytes hashing to {@code now} that differ from {@code old}.
   *
   * @throws IllegalArgumentException when the two were hashed with different block sizes
   */
  public static BlockDelta between(BlockHashes old, BlockHashes now, long size) {
    if (old.blockSize() != now.blockSize()) {
      throw new IllegalArgumentException("block sizes differ: " + old.blockSize() + " and " + now.blockSize());
    }
    long block = now.blockSize();
    List<Range> ranges = new ArrayList<>();
    long bytes = 0;
    long start = -1;
    for (int i = 0; i <= now.count(); i++) {
      boolean differs = i < now.count() && !now.sameBlock(i, old);
      if (differs && start < 0) {
        start = i * block;
      } else if (!differs && start >= 0) {
        long end = Math.min(size, i * block);
        ranges.add(new Range(start, end - start));
        bytes += end - start;
        start = -1;
      }
    }
    return new BlockDelta(ranges, bytes);
  }
}
