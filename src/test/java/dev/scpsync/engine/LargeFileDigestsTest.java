package dev.scpsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.transport.BlockHashes;
import dev.scpsync.transport.LocalSha256;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large files hashed while planning keep their block digests, at their base's block size, for their delta. */
class LargeFileDigestsTest {
  private static final int FROM = 1 << 20;
  private static final int BASE_BLOCK = 8 * 1024; // not what BlockHashes.blockSizeFor gives these sizes
  private static final Instant MTIME = Instant.parse("2025-01-02T03:04:05.123456789Z");

  @TempDir Path root;

  private Path file(String name, int size) throws IOException {
    byte[] data = new byte[size];
    new SplittableRandom(size).nextBytes(data);
    Path f = Files.write(root.resolve(name), data);
    Files.setLastModifiedTime(f, FileTime.from(MTIME));
    return f;
  }

  private static BlockHashes base() {
    return LocalSha256.withBlocks(BASE_BLOCK).blocks();
  }

  @Test
  void aLargeFileWithABaseIsKeptWithBlocksOfTheBasesSizeForItsSizeAndMtimeOnly() throws IOException {
    Path large = file("large.bin", 3 * FROM + 123);
    file("no-base.bin", 2 * FROM);
    file("small.bin", FROM - 1);
    LargeFileDigests read = new LargeFileDigests(FROM,
        path -> path.equals("no-base.bin") ? Optional.empty() : Optional.of(base()));

    Map<String, String> hashes = LocalFacts.sha256(root, List.of("large.bin", "no-base.bin", "small.bin", "gone.bin"), read);

    assertThat(hashes).containsOnlyKeys("large.bin", "no-base.bin", "small.bin");
    for (String p : hashes.keySet()) {
      assertThat(hashes.get(p)).as(p).isEqualTo(LocalFacts.sha256(root.resolve(p)));
    }
    long size = Files.size(large);
    LocalSha256 expected;
    try (FileChannel in = FileChannel.open(large)) {
      expected = LocalSha256.ofPrefix(in, size, BASE_BLOCK);
    }
    assertThat(read.get("large.bin", size, MTIME)).hasValueSatisfying(d -> {
      assertThat(d.sha256()).isEqualTo(hashes.get("large.bin"));
      assertThat(d.blocks()).isEqualTo(expected.blocks());
    });
    assertThat(read.get("large.bin", size, MTIME.plusNanos(1))).as("touched since").isEmpty();
    assertThat(read.get("large.bin", size + 1, MTIME)).as("grown since").isEmpty();
    assertThat(read.get("no-base.bin", 2 * FROM, MTIME)).as("no base: no delta to read it for").isEmpty();
    assertThat(read.get("small.bin", FROM - 1, MTIME)).as("small: sent whole").isEmpty();
  }
}
