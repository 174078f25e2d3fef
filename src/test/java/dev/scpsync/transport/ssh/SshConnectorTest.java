package dev.scpsync.transport.ssh;

import static dev.scpsync.transport.ssh.TestSessions.echo;
import static dev.scpsync.transport.ssh.TestSessions.isolated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.testing.Processes;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.transport.TargetSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SshConnector} against a real OpenSSH {@code sshd} on loopback: key types, ciphers and
 * keepalives. Agent, ssh_config, encrypted keys and host keys have test classes of their own.
 */
class SshConnectorTest {
  @TempDir static Path dir;

  private static OpenSshServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = OpenSshServer.withSftp(dir.resolve("sshd"));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static TargetSpec target() {
    return TargetSpec.parse(server.target(Path.of("/tmp")));
  }

  @Test
  void sessionRunsCommandsAndOpensSftp() throws Exception {
    Path file = Files.writeString(dir.resolve("hello.txt"), "hello over sftp");

    try (SshConnector connector = new SshConnector(isolated(server));
        ClientSession session = connector.connect(target())) {
      assertThat(echo(session, "ok")).isEqualTo("ok");
      try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
          var in = sftp.read(file.toString())) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello over sftp");
      }
    }
  }

  @Test
  void targetWithoutUserLogsInAsTheLocalUser() throws Exception {
    TargetSpec noUser = TargetSpec.parse(server.host() + ":" + server.port() + ":/tmp");

    try (SshConnector connector = new SshConnector(isolated(server));
        ClientSession session = connector.connect(noUser)) {
      assertThat(session.getUsername()).isEqualTo(System.getProperty("user.name"));
      assertThat(TestSessions.remoteUser(session)).isEqualTo(System.getProperty("user.name"));
    }
  }

  @ParameterizedTest(name = "{0} user key")
  @ValueSource(strings = {"ecdsa", "rsa"})
  void userKeysOfOtherTypesAuthenticate(String type) throws Exception {
    Path key = TestKeys.generate(dir.resolve("keys"), "id_" + type, type, "");
    TestKeys.authorize(server, key);

    try (SshConnector connector = new SshConnector(isolated(server.knownHosts(), List.of(key)));
        ClientSession session = connector.connect(target())) {
      assertThat(echo(session, type)).isEqualTo(type);
    }
  }

  @Test
  void unauthorizedKeyFailsAtAuthenticationNamingTheKeyFile() throws Exception {
    Path stranger = TestKeys.generate(dir.resolve("keys"), "id_stranger", "ed25519", "");

    try (SshConnector connector = new SshConnector(isolated(server.knownHosts(), List.of(stranger)), Map.of())) {
      assertThatThrownBy(() -> connector.connect(target()))
          .isInstanceOfSatisfying(SshConnectException.class,
              e -> assertThat(e.step()).as(e.getMessage()).isEqualTo(SshConnectException.Step.AUTHENTICATION))
          .hasMessageContaining("authentication as " + server.user())
          .hasMessageContaining(stranger.toString())
          .hasMessageNotContaining("agent");
    }
  }

  @Test
  void missingIdentityFileFailsAtAuthenticationNamingIt() {
    Path missing = dir.resolve("keys/id_missing");

    try (SshConnector connector = new SshConnector(isolated(server.knownHosts(), List.of(missing)), Map.of())) {
      assertThatThrownBy(() -> connector.connect(target()))
          .isInstanceOfSatisfying(SshConnectException.class,
              e -> assertThat(e.step()).as(e.getMessage()).isEqualTo(SshConnectException.Step.AUTHENTICATION))
          .hasMessageContaining(missing.toString())
          .hasMessageContaining("does not exist");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void prefersAesGcmWhenTheCpuHasAesInstructionsElseChacha20() throws Exception {
    String expected = cpuFlags().contains("aes") ? "aes128-gcm@openssh.com" : "chacha20-poly1305@openssh.com";

    try (SshConnector connector = new SshConnector(isolated(server));
        ClientSession session = connector.connect(target())) {
      assertThat(session.getNegotiatedKexParameter(KexProposalOption.C2SENC)).isEqualTo(expected);
      assertThat(session.getNegotiatedKexParameter(KexProposalOption.S2CENC)).isEqualTo(expected);
    }
  }

  @Test
  void keyExchangeIsPostQuantumWithMlKemFirstWhereTheServerHasIt() throws Exception {
    try (SshConnector connector = new SshConnector(isolated(server));
        ClientSession session = connector.connect(target())) {
      // OpenSSH 9.9 and later offer ML-KEM; older ones (Debian 12: 9.2) only sntrup761.
      String expected = session.getServerKexProposals().get(KexProposalOption.ALGORITHMS).contains(SshConnector.MLKEM_KEX)
          ? SshConnector.MLKEM_KEX : "sntrup761x25519-sha512";
      assertThat(session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS)).isEqualTo(expected);
    }
    try (TestServer receiver = TestServer.start(ServerKind.EMBEDDED_RECEIVER, dir.resolve("receiver"));
        SshConnector connector = new SshConnector(receiver.sshOptions());
        ClientSession session = connector.connect(TargetSpec.parse(receiver.target("/")))) {
      assertThat(session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS)).isEqualTo(SshConnector.MLKEM_KEX);
    }
  }

  @Test
  void requestedCipherIsNegotiated() throws Exception {
    try (SshConnector connector = new SshConnector(isolated(server).withCiphers(List.of("aes256-ctr")));
        ClientSession session = connector.connect(target())) {
      assertThat(session.getNegotiatedKexParameter(KexProposalOption.C2SENC)).isEqualTo("aes256-ctr");
      assertThat(session.getNegotiatedKexParameter(KexProposalOption.S2CENC)).isEqualTo("aes256-ctr");
      assertThat(echo(session, "ctr")).isEqualTo("ctr");
    }
  }

  @Test
  void compressionIsOfferedOnlyWhenAskedForAndOpenSshTakesTheDelayedKind() throws Exception {
    Path file = Files.writeString(dir.resolve("text.txt"), "compressible text, ".repeat(20_000));
    try (SshConnector connector = new SshConnector(isolated(server).withCompression(CompressionMode.ON));
        ClientSession session = connector.connect(target())) {
      assertThat(session.getNegotiatedKexParameter(KexProposalOption.C2SCOMP)).isEqualTo("zlib@openssh.com");
      assertThat(session.getNegotiatedKexParameter(KexProposalOption.S2CCOMP)).isEqualTo("zlib@openssh.com");
      try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
          var in = sftp.read(file.toString())) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(Files.readString(file));
      }
    }
    try (SshConnector connector = new SshConnector(isolated(server));
        ClientSession session = connector.connect(target())) {
      assertThat(session.getNegotiatedKexParameter(KexProposalOption.C2SCOMP)).isEqualTo("none");
    }
  }

  @Test
  void unknownCipherIsRefusedListingTheSupportedOnes() {
    SshOptions options = isolated(server).withCiphers(List.of("rot13-cbc"));

    assertThatThrownBy(() -> new SshConnector(options))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rot13-cbc")
        .hasMessageContaining("aes128-gcm@openssh.com")
        .hasMessageContaining("chacha20-poly1305@openssh.com")
        .hasMessageContaining("aes256-ctr");
  }

  @Test
  void sessionsSendKeepalivesThatExpectAReply() throws Exception {
    try (SshConnector connector = new SshConnector(isolated(server));
        ClientSession session = connector.connect(target())) {
      assertThat(CoreModuleProperties.HEARTBEAT_INTERVAL.getRequired(session)).isEqualTo(Duration.ofSeconds(15));
      assertThat(CoreModuleProperties.HEARTBEAT_REQUEST.getRequired(session)).isEqualTo("keepalive@openssh.com");
      assertThat(CoreModuleProperties.HEARTBEAT_REPLY_WAIT.getRequired(session)).isEqualTo(Duration.ofSeconds(15));
      assertThat(CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.getRequired(session)).isEqualTo(3);
    }
  }

  /** A download is held to the receive window per round trip: channels offer 16 MiB, not 2. */
  @Test
  void channelsOfferALargeReceiveWindowSoDownloadsAreNotHeldToTwoMiBARoundTrip() throws Exception {
    try (SshConnector connector = new SshConnector(isolated(server));
        ClientSession session = connector.connect(target());
        SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
      assertThat(sftp.getClientChannel().getLocalWindow().getMaxSize()).isEqualTo(SshConnector.RECEIVE_WINDOW);
      assertThat(SshConnector.RECEIVE_WINDOW).isEqualTo(16L << 20);
    }
  }

  /**
   * The connector has no hook for the keepalive period, so the test shortens it on the connector's
   * MINA client (reached through a first session) before opening the session under test.
   */
  @Test
  void idleSessionOutlivesKeepalivesAndAFrozenServerIsDetected() throws Exception {
    try (OpenSshServer own = OpenSshServer.withSftp(dir.resolve("frozen-sshd"));
        SshConnector connector = new SshConnector(isolated(own))) {
      TargetSpec target = TargetSpec.parse(own.target(Path.of("/tmp")));
      Duration period = Duration.ofMillis(300);
      try (ClientSession first = connector.connect(target)) {
        var client = first.getFactoryManager();
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, period);
        CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(client, period);
      }

      try (ClientSession session = connector.connect(target)) {
        assertThat(CoreModuleProperties.HEARTBEAT_INTERVAL.getRequired(session)).isEqualTo(period);
        await("idle session stays open").during(period.multipliedBy(4)).atMost(period.multipliedBy(10))
            .until(session::isOpen);
        assertThat(echo(session, "still-here")).isEqualTo("still-here");

        List<Long> frozen = freezeSessionProcesses(own);
        try {
          await("session to a frozen server is closed").atMost(Duration.ofSeconds(15)).until(session::isClosed);
        } finally {
          signal("-CONT", frozen);
        }
      }
    }
  }

  /** Stops (SIGSTOP) every process the server forked for its sessions; the listener keeps running. */
  private static List<Long> freezeSessionProcesses(OpenSshServer own) throws Exception {
    long listener = Long.parseLong(Files.readString(own.knownHosts().resolveSibling("sshd.pid")).strip());
    List<Long> children = ProcessHandle.of(listener).orElseThrow().descendants().map(ProcessHandle::pid).toList();
    assertThat(children).as("sshd processes serving the session").isNotEmpty();
    signal("-STOP", children);
    return children;
  }

  private static void signal(String signal, List<Long> pids) throws Exception {
    for (long pid : pids) {
      Processes.run(List.of("kill", signal, Long.toString(pid)));
    }
  }

  private static String cpuFlags() throws Exception {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return "aes"; // the connector assumes AES instructions where it cannot look
    }
    return Files.readAllLines(cpuinfo).stream()
        .filter(line -> line.startsWith("flags") || line.startsWith("Features"))
        .findFirst()
        .map(line -> " " + line.substring(line.indexOf(':') + 1) + " ")
        .map(flags -> flags.contains(" aes ") ? "aes" : "")
        .orElse("");
  }
}
