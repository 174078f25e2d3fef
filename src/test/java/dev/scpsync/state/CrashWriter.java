package dev.scpsync.state;

import dev.scpsync.tree.Entry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A child process for {@link CrashSafetyTest}: records batches of {@value #BATCH} rows forever,
 * every row of batch n having size n, and prints "committed n" after each batch's record returns.
 */
final class CrashWriter {
  static final int BATCH = 100;

  private CrashWriter() {}

  public static void main(String[] args) throws Exception {
    Path stateDir = Path.of(args[0]);
    Path source = Path.of(args[1]);
    long batch = Long.parseLong(args[2]);
    try (StateStore store = StateStore.open(stateDir, source)) {
      TargetState target = store.target("sftp://crash@test:22/dst");
      while (true) {
        List<Confirmed> rows = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
          Instant mtime = Instant.ofEpochSecond(batch, i);
          Entry e = Entry.file("b" + batch + "/f" + i, batch, mtime, 0644);
          rows.add(new Confirmed(e, "%064x".formatted(batch * BATCH + i), "(dev=1,ino=" + i + ")"));
        }
        target.record(rows);
        System.out.println("committed " + batch);
        System.out.flush();
        batch++;
      }
    }
  }
}
