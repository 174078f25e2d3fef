package dev.scpsync.transport.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.transport.ChunkJournal;
import dev.scpsync.transport.PartialUpload;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link ChunkProgress}: acknowledgements in any order, a journal that only ever sees gap-free prefixes. */
class ChunkProgressTest {
  private record Confirmation(long chunks, String sha256) {}

  private final List<Confirmation> journaled = new ArrayList<>();
  private final ChunkJournal journal = new ChunkJournal() {
    @Override
    public Optional<PartialUpload> find(String path) {
      return Optional.empty();
    }

    @Override
    public void begin(PartialUpload upload) {}

    @Override
    public void confirmed(String path, long chunks, String prefixSha256) {
      journaled.add(new Confirmation(chunks, prefixSha256));
    }

    @Override
    public void finish(String path) {}
  };

  @Test
  void aChunkAckedOnAnotherChannelBeforeAnEarlierOneWaitsForIt() {
    // 3 chunks of 100 bytes and a last one of 50, each written as two halves
    ChunkProgress progress = new ChunkProgress("f", 350, 100, 0, journal);
    for (long c = 1; c <= 4; c++) {
      progress.prefixRead(c, "sha-of-" + c);
    }

    progress.acked(150, 50); // chunk 1, first half
    progress.acked(100, 50); // chunk 0, second half: chunk 0 not complete yet
    assertThat(journaled).isEmpty();
    progress.acked(50, 50); // chunk 0 complete
    assertThat(journaled).containsExactly(new Confirmation(1, "sha-of-1"));
    progress.acked(250, 50);
    progress.acked(300, 50); // chunk 2 complete, but chunk 1 is not
    progress.acked(350, 50); // chunk 3 (the short last one) complete
    assertThat(journaled).hasSize(1);
    progress.acked(200, 50); // chunk 1 complete: the prefix jumps to all 4 chunks at once
    assertThat(journaled).containsExactly(new Confirmation(1, "sha-of-1"), new Confirmation(4, "sha-of-4"));
  }

  @Test
  void aResumedUploadCountsFromWhereItStarted() {
    ChunkProgress progress = new ChunkProgress("f", 300, 100, 200, journal);
    progress.prefixRead(3, "whole");

    progress.acked(250, 50);
    progress.acked(300, 50);

    assertThat(journaled).containsExactly(new Confirmation(3, "whole"));
  }
}
