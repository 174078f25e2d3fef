package dev.scpsync.transport.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.testing.RecordingTransfers;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.tree.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session that dies mid-batch fails the batch with an IOException instead of per-file noise. */
class ScpSessionLossTest {
  private static final int SIZE = 64 * 1024 * 1024;

  @TempDir Path dir;

  /** Stops the server the first time data moves. */
  private static RecordingTransfers killingOnFirstBytes(ScpOnlyServer server) {
    return new RecordingTransfers() {
      @Override
      public void bytes(long count) {
        if (bytes == 0) {
          server.sshd.stop();
        }
        super.bytes(count);
      }
    };
  }

  @Test
  void uploadThrowsWhenTheSessionIsLost() throws Exception {
    Path root = Files.createDirectory(dir.resolve("root"));
    Path big = dir.resolve("big");
    try (var ch =
        Files.newByteChannel(
            big,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
      ch.position(SIZE - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
    }
    try (ScpOnlyServer server = ScpOnlyServer.start(dir.resolve("sshd"));
        ScpRemote remote = server.open(root)) {
      RecordingTransfers listener = killingOnFirstBytes(server);
      List<FileTransfer> files =
          List.of(
              new FileTransfer(Entry.file("big", SIZE, Instant.now(), 0644), big),
              new FileTransfer(Entry.file("second", SIZE, Instant.now(), 0644), big));
      assertThatThrownBy(() -> remote.upload(files, listener))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("SSH session to scp://")
          .hasMessageContaining(" lost: ");
      assertThat(listener.done).isEmpty();
    }
    try (var left = Files.list(root)) {
      assertThat(left.filter(p -> p.getFileName().toString().equals("big"))).isEmpty();
    }
  }

  @Test
  void downloadThrowsWhenTheSessionIsLost() throws Exception {
    Path root = Files.createDirectory(dir.resolve("root"));
    try (var ch =
        Files.newByteChannel(
            root.resolve("big"),
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
      ch.position(SIZE - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
    }
    try (ScpOnlyServer server = ScpOnlyServer.start(dir.resolve("sshd"));
        ScpRemote remote = server.open(root)) {
      RecordingTransfers listener = killingOnFirstBytes(server);
      List<FileTransfer> files =
          List.of(
              new FileTransfer(
                  Entry.file("big", SIZE, Instant.now(), 0644), dir.resolve("big.part")),
              new FileTransfer(
                  Entry.file("big", SIZE, Instant.now(), 0644), dir.resolve("again.part")));
      assertThatThrownBy(() -> remote.download(files, listener))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("SSH session to scp://")
          .hasMessageContaining(" lost: ");
      assertThat(listener.done).isEmpty();
      assertThat(remote.describe()).startsWith("scp://");
    }
    assertThat(dir.resolve("big.part")).doesNotExist();
  }
}
