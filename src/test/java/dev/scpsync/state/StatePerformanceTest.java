package dev.scpsync.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Snapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records and reads back 100,000 rows and prints how long each step took. Performance is measured
 * here, not asserted (see design.md): the assertions only check the work was done.
 */
class StatePerformanceTest {
  private static final int ROWS = 100_000;
  private static final int BATCH = 1_000;

  @TempDir Path dir;

  @Test
  void recordAndLoadAHundredThousandRows() throws Exception {
    List<Confirmed> all = new ArrayList<>(ROWS);
    for (int i = 0; i < ROWS; i++) {
      String path = "dir%03d/sub%02d/file-%06d.txt".formatted(i / 1000, (i / 100) % 10, i);
      Entry e = Entry.file(path, i * 17L, Instant.ofEpochSecond(1_700_000_000L + i, i), 0644);
      all.add(new Confirmed(e, "%064x".formatted(i), "(dev=803,ino=" + (1_000_000 + i) + ")"));
    }
    try (StateStore store = StateStore.open(dir, dir.resolve("src"))) {
      TargetState target = store.target("sftp://perf@host:22/dst");

      long t0 = System.nanoTime();
      for (int i = 0; i < ROWS; i += BATCH) {
        target.record(all.subList(i, i + BATCH));
      }
      long recorded = System.nanoTime();
      Snapshot synced = target.synced();
      long loaded = System.nanoTime();
      Map<String, String> hashes = target.hashes();
      Map<String, String> keys = target.fileKeys();
      long maps = System.nanoTime();
      target.record(all.subList(0, BATCH));
      long rerecorded = System.nanoTime();
      target.recordRenamed("dir050", "renamed050");
      long renamed = System.nanoTime();
      target.recordDeleted(List.of("dir099"));
      long deleted = System.nanoTime();

      assertThat(synced.size()).isEqualTo(ROWS);
      assertThat(hashes).hasSize(ROWS);
      assertThat(keys).hasSize(ROWS);
      assertThat(target.size()).isEqualTo(ROWS - 1_000);
      System.out.printf(
          "state perf: record %d rows in batches of %d: %d ms; synced(): %d ms;"
              + " hashes()+fileKeys(): %d ms; re-record %d rows: %d ms;"
              + " rename 1000-row subtree: %d ms; delete 1000-row subtree: %d ms%n",
          ROWS, BATCH, ms(t0, recorded), ms(recorded, loaded), ms(loaded, maps), BATCH,
          ms(maps, rerecorded), ms(rerecorded, renamed), ms(renamed, deleted));
    }
  }

  private static long ms(long from, long to) {
    return (to - from) / 1_000_000;
  }
}
