package dev.scpsync.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing process with SIGKILL mid-stream and checks that the database opens, is intact,
 * holds only whole batches, and holds every batch the writer saw committed.
 */
class CrashSafetyTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aWriterKilledMidStreamLeavesOnlyWholeBatchesAndLosesNoCommittedOne() throws Exception {
    Path stateDir = dir.resolve("state");
    Path source = dir.resolve("src");
    long nextBatch = 0;
    long lastReported = -1;
    // Several rounds, killed after a different number of batches each time, so the kill lands
    // at different points of a transaction or checkpoint.
    for (int killAfter : new int[] {7, 40, 150}) {
      long reported = runAndKill(stateDir, source, nextBatch, killAfter);
      assertThat(reported).isGreaterThanOrEqualTo(nextBatch + killAfter);
      lastReported = reported;

      TreeMap<Long, Integer> counts = countsPerBatch(stateDir, source);
      for (long b = 0; b <= lastReported; b++) {
        assertThat(counts.get(b)).as("batch %d, reported committed", b)
            .isEqualTo(CrashWriter.BATCH);
      }
      assertThat(counts.values()).as("rows per batch").containsOnly(CrashWriter.BATCH);
      // At most the batch in flight at the kill may have committed without being reported.
      assertThat(counts.lastKey()).isBetween(lastReported, lastReported + 1);
      nextBatch = counts.lastKey() + 1;
    }
    System.out.printf("crash test: %d batches survived three SIGKILLs%n", nextBatch);
  }

  private long runAndKill(Path stateDir, Path source, long firstBatch, int killAfter)
      throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    // stdout goes to a file, not a pipe: killing a process closes our end of its pipes, and the
    // lines it wrote just before dying are needed to know what it had committed.
    Path stdout = dir.resolve("writer-" + firstBatch + ".out");
    Path stderr = dir.resolve("writer-" + firstBatch + ".err");
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            CrashWriter.class.getName(), stateDir.toString(), source.toString(),
            Long.toString(firstBatch)))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
          .failFast("writer died: " + stderr, () -> !p.isAlive())
          .until(() -> lastCommitted(stdout) >= firstBatch + killAfter);
    } finally {
      p.destroyForcibly();
      p.waitFor();
    }
    return lastCommitted(stdout);
  }

  /** The last batch the writer reported; a line cut short by the kill does not count. */
  private static long lastCommitted(Path stdout) throws IOException {
    String[] lines = Files.readString(stdout).split("\n", -1);
    long last = -1;
    // The final element follows the last newline: empty, or a line the kill cut short.
    for (int i = 0; i < lines.length - 1; i++) {
      last = Long.parseLong(lines[i].substring("committed ".length()));
    }
    return last;
  }

  private static TreeMap<Long, Integer> countsPerBatch(Path stateDir, Path source)
      throws Exception {
    Path file;
    try (StateStore store = StateStore.open(stateDir, source)) {
      file = store.file();
      assertThat(store.target("sftp://crash@test:22/dst").isEmpty()).isFalse();
    }
    TreeMap<Long, Integer> counts = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("ok");
      }
      try (ResultSet rs = s.executeQuery("SELECT size, count(*) FROM synced GROUP BY size")) {
        while (rs.next()) {
          counts.put(rs.getLong(1), rs.getInt(2));
        }
      }
    }
    return counts;
  }
}
