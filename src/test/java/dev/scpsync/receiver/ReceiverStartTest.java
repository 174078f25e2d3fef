package dev.scpsync.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code scpsync serve} reports when it cannot start, instead of running half set up. */
class ReceiverStartTest {
  @TempDir Path tmp;
  private Path root;
  private Path keys;

  @BeforeEach
  void layout() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
    keys = Files.writeString(tmp.resolve("authorized_keys"), "");
  }

  @Test
  void aMissingRootIsReported() {
    ReceiverConfig config = config(tmp.resolve("nope"), 0);

    assertThatThrownBy(() -> new Receiver(config).start())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("root is not a directory")
        .hasMessageContaining("nope");
  }

  @Test
  void aMissingAuthorizedKeysFileIsReported() throws IOException {
    Files.delete(keys);

    assertThatThrownBy(() -> new Receiver(config(root, 0)).start())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("authorized keys file not found");
  }

  @Test
  void aPortInUseIsReportedWithTheAddress() throws IOException {
    try (Receiver first = new Receiver(config(root, 0))) {
      first.start();
      int port = first.port();
      assertThat(port).isPositive();

      assertThatThrownBy(() -> new Receiver(config(root, port)).start())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + port);
    }
  }

  @Test
  void configRejectsAnImpossiblePort() {
    assertThatThrownBy(() -> config(root, 70_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("70000");
  }

  private ReceiverConfig config(Path root, int port) {
    return new ReceiverConfig(root, "127.0.0.1", port, keys, tmp.resolve("host_key"));
  }
}
