package dev.scpsync.transport.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.transport.TargetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password authentication, taken only from {@code SCPSYNC_PASSWORD}, against a password-only SSH
 * server (MINA's, on loopback: OpenSSH would need a system account with a password).
 */
class PasswordAuthenticationTest {
  private static final String PASSWORD = "correct horse battery staple";

  @TempDir Path tmp;
  private SshServer server;
  private Path knownHosts;

  @BeforeEach
  void start() throws Exception {
    KeyPair hostKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    server.setPasswordAuthenticator((user, password, session) -> "tester".equals(user) && PASSWORD.equals(password));
    server.setPublickeyAuthenticator(null);
    server.setKeyboardInteractiveAuthenticator(null);
    server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
    server.start();
    knownHosts = tmp.resolve("known_hosts");
    Files.writeString(knownHosts, "[127.0.0.1]:" + server.getPort() + " "
        + PublicKeyEntry.appendPublicKeyEntry(new StringBuilder(), hostKey.getPublic()) + "\n");
  }

  @AfterEach
  void stop() throws Exception {
    server.stop(true);
  }

  private SshOptions options() {
    return SshOptions.defaults().withKnownHosts(List.of(knownHosts)).withIdentities(List.of()).withAgent(false).withSshConfig(null);
  }

  private TargetSpec target() {
    return TargetSpec.parse("tester@127.0.0.1:" + server.getPort() + ":/");
  }

  @Test
  void thePasswordFromTheEnvironmentLogsIn() throws Exception {
    try (SshConnector connector = new SshConnector(options(), Map.of("SCPSYNC_PASSWORD", PASSWORD));
        ClientSession session = connector.connect(target());
        var sftp = SftpClientFactory.instance().createSftpClient(session)) {
      assertThat(sftp.canonicalPath(".")).isNotBlank();
    }
  }

  @Test
  void aWrongPasswordFailsAuthenticationWithoutShowingIt() throws Exception {
    String wrong = "not-the-password-123";
    try (SshConnector connector = new SshConnector(options(), Map.of("SCPSYNC_PASSWORD", wrong))) {
      assertThatThrownBy(() -> connector.connect(target()))
          .isInstanceOfSatisfying(SshConnectException.class, e -> {
            assertThat(e.step()).isEqualTo(SshConnectException.Step.AUTHENTICATION);
            assertThat(e.getMessage()).contains("SCPSYNC_PASSWORD").doesNotContain(wrong);
          });
    }
  }

  @Test
  void noPasswordInTheEnvironmentMeansNoPasswordAttempt() throws Exception {
    try (SshConnector connector = new SshConnector(options(), Map.of())) {
      assertThatThrownBy(() -> connector.connect(target()))
          .isInstanceOfSatisfying(SshConnectException.class, e -> assertThat(e.step()).isEqualTo(SshConnectException.Step.AUTHENTICATION));
    }
  }
}
