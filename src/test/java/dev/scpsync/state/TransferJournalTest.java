package dev.scpsync.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransferJournalTest {
  @TempDir Path dir;

  @Test
  void anUploadInFlightSurvivesAReopenUntilFinished() throws Exception {
    Transfer t = new Transfer("big/disk.img", ".disk.img.scpsync-1a2b", 10_000_000_000L,
        Instant.ofEpochSecond(1_700_000_000L, 987_654_321), null, 8 << 20, 0,
        Instant.parse("2025-01-02T03:04:05.678999Z"));
    try (StateStore store = StateStore.open(dir, dir.resolve("src"))) {
      TransferJournal journal = store.target("t").journal();
      journal.begin(t);
      assertThat(journal.confirmChunks("big/disk.img", 17)).isTrue();
      assertThat(journal.confirmChunks("not/started", 1)).isFalse();
      assertThat(store.target("other").journal().inFlight()).isEmpty();
    }
    try (StateStore store = StateStore.open(dir, dir.resolve("src"))) {
      TransferJournal journal = store.target("t").journal();
      Transfer resumed = journal.find("big/disk.img").orElseThrow();
      assertThat(resumed).isEqualTo(new Transfer(t.path(), t.tempName(), t.sourceSize(),
          t.sourceMtime(), null, t.chunkSize(), 17, Instant.parse("2025-01-02T03:04:05.678Z")));
      assertThat(resumed.confirmedBytes()).isEqualTo(17L * (8 << 20));
      assertThat(journal.inFlight()).containsExactly(resumed);

      journal.finish("big/disk.img");
      assertThat(journal.find("big/disk.img")).isEmpty();
    }
  }

  @Test
  void confirmingChunksAlsoKeepsTheHashOfTheConfirmedPrefix() throws Exception {
    Transfer t = new Transfer("big.bin", ".big.bin.scpsync-00ff00ff.tmp", 64L << 20, Instant.ofEpochSecond(1_700_000_000L),
        null, 8 << 20, 0, Instant.ofEpochMilli(1_700_000_000_123L));
    try (StateStore store = StateStore.open(dir, dir.resolve("src"))) {
      TransferJournal journal = store.target("t").journal();
      journal.begin(t);
      assertThat(journal.confirmChunks("big.bin", 3, "c0ffee")).isTrue();
    }
    try (StateStore store = StateStore.open(dir, dir.resolve("src"))) {
      Transfer resumed = store.target("t").journal().find("big.bin").orElseThrow();
      assertThat(resumed.chunksConfirmed()).isEqualTo(3);
      assertThat(resumed.sha256()).isEqualTo("c0ffee");
    }
  }
}
