package dev.scpsync.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Block hashes as an upload computes them, and the ranges a new version must send. */
class BlockDeltaTest {
  private static final int BLOCK = BlockHashes.MIN_BLOCK;

  private static byte[] random(int size, int seed) {
    byte[] data = new byte[size];
    new SplittableRandom(seed).nextBytes(data);
    return data;
  }

  /** Hashes {@code data} the way an upload reads it: in pieces that do not line up with blocks. */
  private static BlockHashes blocks(byte[] data) {
    LocalSha256 d = LocalSha256.withBlocks(BLOCK);
    for (int at = 0; at < data.length; at += 12_345) {
      d.update(data, at, Math.min(12_345, data.length - at));
    }
    return d.blocks();
  }

  @Test
  void blocksDoNotDependOnHowTheContentWasReadAndTheWholeDigestIsKeptToo() {
    byte[] data = random(5 * BLOCK + 100, 1);
    LocalSha256 once = LocalSha256.withBlocks(BLOCK);
    once.update(data, 0, data.length);
    assertThat(blocks(data)).isEqualTo(once.blocks());
    assertThat(once.blocks().count()).isEqualTo(6);
    LocalSha256 plain = LocalSha256.start();
    plain.update(data, 0, data.length);
    assertThat(once.hex()).isEqualTo(plain.hex());
  }

  @Test
  void aFileHashedOnTwoThreadsGivesWhatOneThreadGives(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws Exception {
    byte[] data = random(3 * (1 << 20) + 5 * BLOCK + 17, 8);
    java.nio.file.Path file = java.nio.file.Files.write(tmp.resolve("f"), data);
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
      FileDigest parallel = LocalSha256.of(ch, data.length, BLOCK);
      LocalSha256 serial = LocalSha256.ofPrefix(ch, data.length, BLOCK);
      assertThat(parallel.sha256()).isEqualTo(serial.hex());
      assertThat(parallel.blocks()).isEqualTo(serial.blocks()).isEqualTo(blocks(data));
      assertThatThrownBy(() -> LocalSha256.of(ch, data.length + 1L, BLOCK)).hasMessageContaining("shorter");
    }
  }

  @Test
  void anAppendSendsTheTailAndTheShortLastBlockItExtends() {
    byte[] old = random(3 * BLOCK + 10, 2);
    byte[] now = Arrays.copyOf(old, 5 * BLOCK);
    System.arraycopy(random(now.length - old.length, 3), 0, now, old.length, now.length - old.length);
    BlockDelta delta = BlockDelta.between(blocks(old), blocks(now), now.length);
    assertThat(delta.ranges()).containsExactly(new BlockDelta.Range(3L * BLOCK, 2L * BLOCK));
    assertThat(delta.bytes()).isEqualTo(2L * BLOCK);
  }

  @Test
  void anEditInPlaceSendsItsBlockOnlyAndAdjacentBlocksMerge() {
    byte[] old = random(8 * BLOCK, 4);
    byte[] now = old.clone();
    now[BLOCK + 7] ^= 1;
    now[4 * BLOCK] ^= 1;
    now[5 * BLOCK + 3] ^= 1;
    BlockDelta delta = BlockDelta.between(blocks(old), blocks(now), now.length);
    assertThat(delta.ranges()).containsExactly(
        new BlockDelta.Range(BLOCK, BLOCK), new BlockDelta.Range(4L * BLOCK, 2L * BLOCK));
  }

  @Test
  void aTruncationOnABlockBoundarySendsNothingAndInsideABlockSendsThatBlock() {
    byte[] old = random(4 * BLOCK, 5);
    assertThat(BlockDelta.between(blocks(old), blocks(Arrays.copyOf(old, 2 * BLOCK)), 2L * BLOCK).ranges()).isEmpty();
    byte[] cut = Arrays.copyOf(old, 2 * BLOCK + 5);
    assertThat(BlockDelta.between(blocks(old), blocks(cut), cut.length).ranges())
        .containsExactly(new BlockDelta.Range(2L * BLOCK, 5));
  }

  @Test
  void identicalContentSendsNothingAndAnEmptyFileHasNoBlocks() {
    byte[] data = random(3 * BLOCK, 6);
    assertThat(BlockDelta.between(blocks(data), blocks(data), data.length).bytes()).isZero();
    assertThat(blocks(new byte[0]).count()).isZero();
  }

  @Test
  void theStoredFormRoundTripsAndAnythingElseDecodesToNothing() {
    BlockHashes h = blocks(random(2 * BLOCK + 1, 7));
    assertThat(BlockHashes.decode(h.encode())).contains(h);
    assertThat(BlockHashes.decode(new byte[] {1, 2, 3})).isEmpty();
    assertThat(BlockHashes.decode(null)).isEmpty();
    assertThat(BlockHashes.decode(new byte[4 + 31])).isEmpty();
  }

  @Test
  void blocksArePagesUpTo256MiBThenGrowSoThatNoFileKeepsMoreThan65536() {
    assertThat(BlockHashes.blockSizeFor(8L << 20)).isEqualTo(4 << 10);
    assertThat(BlockHashes.blockSizeFor(256L << 20)).isEqualTo(4 << 10);
    assertThat(BlockHashes.blockSizeFor(1L << 30)).isEqualTo(16 << 10);
    assertThat((20L << 30) / BlockHashes.blockSizeFor(20L << 30)).isLessThanOrEqualTo(65_536);
  }

  @Test
  void versionsHashedWithDifferentBlockSizesCannotBeCompared() {
    BlockHashes small = new BlockHashes(BLOCK, new byte[32]);
    BlockHashes large = new BlockHashes(2 * BLOCK, new byte[32]);
    assertThatThrownBy(() -> BlockDelta.between(small, large, 10)).isInstanceOf(IllegalArgumentException.class);
  }
}
