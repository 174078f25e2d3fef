package dev.scpsync.transport.ssh;

import static dev.scpsync.transport.ssh.TestSessions.echo;
import static dev.scpsync.transport.ssh.TestSessions.isolated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.testing.Processes;
import dev.scpsync.transport.TargetSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host key checks against known_hosts files written the way OpenSSH's tools write them, with a
 * real {@code sshd} offering its ed25519 host key.
 */
class HostKeyCheckingTest {
  @TempDir static Path dir;

  private static OpenSshServer server;
  /** The server's known_hosts line: {@code [127.0.0.1]:PORT ssh-ed25519 AAAA...}. */
  private static String serverLine;

  @BeforeAll
  static void startServer() throws Exception {
    server = OpenSshServer.withSftp(dir.resolve("sshd"));
    serverLine = Files.readString(server.knownHosts()).strip();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static Path knownHosts(String name, String... lines) throws Exception {
    return Files.write(dir.resolve(name), List.of(lines), StandardCharsets.UTF_8);
  }

  /** A known_hosts line for this server's address carrying some other, freshly made key. */
  private static String otherKeyLine(String type) throws Exception {
    Path key = TestKeys.generate(dir.resolve("other-keys"), "host_" + type + "_" + System.nanoTime(), type, "");
    String pub = Files.readString(key.resolveSibling(key.getFileName() + ".pub")).strip();
    String[] parts = pub.split(" ");
    return "[" + server.host() + "]:" + server.port() + " " + parts[0] + " " + parts[1];
  }

  private static ClientSession connect(SshOptions options) throws Exception {
    try (SshConnector connector = new SshConnector(options, Map.of())) {
      return connector.connect(TargetSpec.parse(server.target(Path.of("/tmp"))));
    }
  }

  private static SshOptions trusting(Path knownHosts) {
    return isolated(knownHosts, List.of(server.userKey()));
  }

  private static void assertConnects(SshOptions options) throws Exception {
    try (SshConnector connector = new SshConnector(options, Map.of());
        ClientSession session = connector.connect(TargetSpec.parse(server.target(Path.of("/tmp"))))) {
      assertThat(echo(session, "trusted")).isEqualTo("trusted");
    }
  }

  private static void assertRefused(SshOptions options, String... messageParts) {
    assertThatThrownBy(() -> connect(options))
        .isInstanceOfSatisfying(SshConnectException.class,
            e -> assertThat(e.step()).as(e.getMessage()).isEqualTo(SshConnectException.Step.HOST_KEY))
        .hasMessageContainingAll(messageParts);
  }

  @Test
  void hashedKnownHostsLineIsAccepted() throws Exception {
    Path hashed = knownHosts("known_hosts_hashed", serverLine);
    Processes.runOk(List.of("ssh-keygen", "-q", "-H", "-f", hashed.toString()));
    assertThat(Files.readString(hashed)).startsWith("|1|").doesNotContain("127.0.0.1");

    assertConnects(trusting(hashed));
  }

  @Test
  void revokedKeyIsRefused() throws Exception {
    Path revoked = knownHosts("known_hosts_revoked", "@revoked " + serverLine);

    assertRefused(trusting(revoked), "@revoked", revoked.toString());
  }

  @Test
  void revokedKeyIsRefusedEvenWhenAnEarlierLineTrustsIt() throws Exception {
    Path trusted = knownHosts("known_hosts_trusting", serverLine);
    Path revokedLater = knownHosts("known_hosts_revoking", "@revoked " + serverLine);
    Path both = knownHosts("known_hosts_both", serverLine, "@revoked " + serverLine);

    assertRefused(trusting(both), "@revoked");
    assertRefused(trusting(trusted).withKnownHosts(List.of(trusted, revokedLater)), "@revoked", revokedLater.toString());
  }

  @Test
  void hostListedWithAnOldAndTheCurrentKeyIsAccepted() throws Exception {
    Path rotated = knownHosts("known_hosts_rotated", otherKeyLine("ed25519"), serverLine);

    assertConnects(trusting(rotated));
  }

  @Test
  void changedKeyIsRefusedNamingTheFile() throws Exception {
    Path changed = knownHosts("known_hosts_changed", otherKeyLine("ed25519"));

    assertRefused(trusting(changed), "HAS CHANGED", changed.toString(), "ssh-keygen -R");
  }

  @Test
  void knownKeyOfAnotherTypeOnlyIsRefusedNamingBothTypes() throws Exception {
    Path ecdsaOnly = knownHosts("known_hosts_ecdsa", otherKeyLine("ecdsa"));

    assertRefused(trusting(ecdsaOnly), "ssh-ed25519", "ecdsa-sha2-nistp256", ecdsaOnly.toString());
  }

  @Test
  void unknownHostIsRefusedWithoutAcceptNewAndNothingIsWritten() throws Exception {
    Path empty = knownHosts("known_hosts_empty");

    assertRefused(trusting(empty), "not known", "--accept-new");
    assertThat(Files.readString(empty)).isEmpty();
  }

  @Test
  void acceptNewRecordsTheKeyInTheFirstFileOnlyAndNeverInTheUsersSsh() throws Exception {
    Path userKnownHosts = Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
    String userBefore = Files.exists(userKnownHosts) ? Files.readString(userKnownHosts) : null;
    Path first = dir.resolve("accept-new/sub/known_hosts");
    Path second = knownHosts("known_hosts_second", "# another file");

    assertConnects(trusting(first).withKnownHosts(List.of(first, second)).withAcceptNew(true));

    assertThat(Files.readAllLines(first)).singleElement().satisfies(line -> assertThat(line.split(" "))
        .containsExactly(serverLine.split(" ")));
    assertThat(Files.readString(second)).isEqualTo("# another file\n");
    assertThat(Files.exists(userKnownHosts) ? Files.readString(userKnownHosts) : null).isEqualTo(userBefore);
    // What was recorded is trusted afterwards without --accept-new, and not recorded twice.
    assertConnects(trusting(first));
    assertConnects(trusting(first).withAcceptNew(true));
    assertThat(Files.readAllLines(first)).hasSize(1);
  }

  @Test
  void acceptNewStillRefusesAChangedKey() throws Exception {
    String old = otherKeyLine("ed25519");
    Path changed = knownHosts("known_hosts_changed_accept_new", old);

    assertRefused(trusting(changed).withAcceptNew(true), "HAS CHANGED");
    assertThat(Files.readAllLines(changed)).containsExactly(old);
  }
}
