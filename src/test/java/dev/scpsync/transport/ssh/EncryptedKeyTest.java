package dev.scpsync.transport.ssh;

import static dev.scpsync.transport.ssh.TestSessions.echo;
import static dev.scpsync.transport.ssh.TestSessions.isolated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.transport.TargetSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A passphrase-protected key made by {@code ssh-keygen -N}. The passphrase comes from {@code
 * SCPSYNC_KEY_PASSPHRASE}, handed to the connector as its environment; the test JVM has no console,
 * so nothing prompts.
 */
class EncryptedKeyTest {
  private static final String PASSPHRASE = "secret";

  @TempDir static Path dir;

  private static OpenSshServer server;
  private static Path key;

  @BeforeAll
  static void startServerThatTrustsAnEncryptedKey() throws Exception {
    server = OpenSshServer.withSftp(dir.resolve("sshd"));
    key = TestKeys.generate(dir.resolve("keys"), "id_encrypted", "ed25519", PASSPHRASE);
    TestKeys.authorize(server, key);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static SshConnector connector(Map<String, String> env) {
    return new SshConnector(isolated(server.knownHosts(), List.of(key)), env);
  }

  private static TargetSpec target() {
    return TargetSpec.parse(server.target(Path.of("/tmp")));
  }

  @Test
  void passphraseFromTheEnvironmentUnlocksTheKey() throws Exception {
    try (SshConnector connector = connector(Map.of(KeyFilePassphrases.ENV, PASSPHRASE));
        ClientSession session = connector.connect(target())) {
      assertThat(echo(session, "unlocked")).isEqualTo("unlocked");
    }
  }

  @Test
  void withoutPassphraseOrConsoleTheErrorNamesTheKeyAndTheVariable() {
    try (SshConnector connector = connector(Map.of())) {
      assertThatThrownBy(() -> connector.connect(target()))
          .isInstanceOfSatisfying(SshConnectException.class,
              e -> assertThat(e.step()).as(e.getMessage()).isEqualTo(SshConnectException.Step.AUTHENTICATION))
          .hasMessageContaining(key.toString())
          .hasMessageContaining("encrypted")
          .hasMessageContaining("set SCPSYNC_KEY_PASSPHRASE");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void wrongPassphraseSaysSoAndNamesTheKey() throws Exception {
    try (SshConnector connector = connector(Map.of(KeyFilePassphrases.ENV, "not-the-" + PASSPHRASE))) {
      assertThatThrownBy(() -> connector.connect(target()))
          .isInstanceOfSatisfying(SshConnectException.class,
              e -> assertThat(e.step()).as(e.getMessage()).isEqualTo(SshConnectException.Step.AUTHENTICATION))
          .hasMessageContaining(key.toString())
          .hasMessageContaining("wrong passphrase")
          .hasMessageNotContaining("not-the-" + PASSPHRASE);
    }
  }
}
