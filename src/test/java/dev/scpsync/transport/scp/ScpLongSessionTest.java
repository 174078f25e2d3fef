package dev.scpsync.transport.scp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.testing.RecordingTransfers;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.tree.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watch keeps one session for hours and opens a few exec channels per batch over it. OpenSSH
 * counts a session channel against MaxSessions until both sides have sent CLOSE: a channel we
 * drop without sending ours holds a slot for good, and once all are held every channel open is
 * refused and the session is lost (it was, after a few dozen batches of a watch).
 */
class ScpLongSessionTest {
  /** OpenSSH's default. */
  private static final int MAX_SESSIONS = 10;
  /** Each batch opens two channels (scp -t, then the renames' sh -s): 8 times MAX_SESSIONS. */
  private static final int BATCHES = 40;

  @TempDir Path dir;

  @Test
  void oneSessionCarriesManyMoreBatchesThanTheServersMaxSessions() throws Exception {
    Path root = Files.createDirectory(dir.resolve("root"));
    Path content = Files.writeString(dir.resolve("content"), "one small file per batch\n");
    Instant mtime = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    try (ScpOnlyServer server = ScpOnlyServer.start(dir.resolve("sshd"))) {
      server.sshd.restartWithMaxSessions(MAX_SESSIONS);
      try (ScpRemote remote = server.open(root)) {
        for (int i = 0; i < BATCHES; i++) {
          RecordingTransfers listener = new RecordingTransfers();
          Entry entry = Entry.file("f-" + i, Files.size(content), mtime, 0644);
          remote.upload(List.of(new FileTransfer(entry, content)), listener);
          assertThat(listener.failed).as("batch %d", i).isEmpty();
          assertThat(listener.done).as("batch %d", i).containsExactly("f-" + i);
        }
      }
    }
  }
}
