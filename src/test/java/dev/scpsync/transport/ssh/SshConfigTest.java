package dev.scpsync.transport.ssh;

import static dev.scpsync.transport.ssh.TestSessions.echo;
import static dev.scpsync.transport.ssh.TestSessions.isolated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.transport.TargetSpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host aliases and ProxyJump from an ssh_config file written by the test, against real OpenSSH
 * servers. The connector is given no key files: the config's IdentityFile is the only credential.
 */
class SshConfigTest {
  @TempDir static Path dir;

  private static OpenSshServer target;
  private static Path knownHosts;

  @BeforeAll
  static void startTarget() throws Exception {
    target = OpenSshServer.withSftp(dir.resolve("target"));
    knownHosts = Files.copy(target.knownHosts(), dir.resolve("known_hosts"));
  }

  @AfterAll
  static void stopTarget() {
    if (target != null) {
      target.close();
    }
  }

  private static Path config(String name, String... lines) throws Exception {
    return Files.write(dir.resolve(name), List.of(lines), StandardCharsets.UTF_8);
  }

  private static String hostBlock(String alias, OpenSshServer server, String user) {
    return String.join("\n",
        "Host " + alias,
        "  HostName " + server.host(),
        "  Port " + server.port(),
        "  User " + user,
        "  IdentityFile " + server.userKey());
  }

  private static SshConnector connector(Path config, Path trusted) {
    return new SshConnector(isolated(trusted, List.of()).withSshConfig(config), Map.of());
  }

  @Test
  void aliasSuppliesHostPortUserAndKey() throws Exception {
    Path config = config("alias_config", hostBlock("myalias", target, target.user()));

    try (SshConnector connector = connector(config, knownHosts);
        ClientSession session = connector.connect(TargetSpec.parse("myalias:/tmp"))) {
      assertThat(echo(session, "via-alias")).isEqualTo("via-alias");
      assertThat(session.getUsername()).isEqualTo(target.user());
      assertThat(((InetSocketAddress) session.getIoSession().getRemoteAddress()).getPort()).isEqualTo(target.port());
    }
  }

  @Test
  void theDirectAddressForProbingFollowsTheAliasAndIsNoneBehindAProxyJump() throws Exception {
    Path config = config("probe_config", hostBlock("probed", target, target.user()), "",
        "Host jumped", "  HostName 10.0.0.9", "  ProxyJump probed");
    try (SshConnector connector = connector(config, knownHosts)) {
      assertThat(connector.directAddress(TargetSpec.parse("probed:/tmp")))
          .contains(InetSocketAddress.createUnresolved(target.host(), target.port()));
      assertThat(connector.directAddress(TargetSpec.parse("jumped:/tmp"))).isEmpty();
      assertThat(connector.directAddress(TargetSpec.parse("elsewhere.example:2200:/tmp")))
          .contains(InetSocketAddress.createUnresolved("elsewhere.example", 2200));
      assertThat(connector.directAddress(TargetSpec.parse("elsewhere.example:/tmp")))
          .contains(InetSocketAddress.createUnresolved("elsewhere.example", 22));
    }
  }

  @Test
  void userFromTheConfigIsNotReplacedByTheLocalUserName() throws Exception {
    String configured = "scpsync-no-such-user";
    Path config = config("user_config", hostBlock("otheruser", target, configured));

    try (SshConnector connector = connector(config, knownHosts)) {
      assertThatThrownBy(() -> connector.connect(TargetSpec.parse("otheruser:/tmp")))
          .isInstanceOfSatisfying(SshConnectException.class,
              e -> assertThat(e.step()).as(e.getMessage()).isEqualTo(SshConnectException.Step.AUTHENTICATION))
          .hasMessageContaining("authentication as " + configured);
    }
  }

  @Test
  void aliasWithoutUserLogsInAsTheLocalUser() throws Exception {
    Path config = config("no_user_config",
        "Host nouser", "  HostName " + target.host(), "  Port " + target.port(), "  IdentityFile " + target.userKey());

    try (SshConnector connector = connector(config, knownHosts);
        ClientSession session = connector.connect(TargetSpec.parse("nouser:/tmp"))) {
      assertThat(TestSessions.remoteUser(session)).isEqualTo(System.getProperty("user.name"));
    }
  }

  @Test
  void hostNotInTheConfigIsReachedDirectlyAsTheLocalUser() throws Exception {
    Path config = config("other_hosts_config", hostBlock("unrelated", target, "scpsync-no-such-user"));
    TargetSpec direct = TargetSpec.parse(target.host() + ":" + target.port() + ":/tmp");

    try (SshConnector connector = new SshConnector(isolated(target).withSshConfig(config).withKnownHosts(List.of(knownHosts)), Map.of());
        ClientSession session = connector.connect(direct)) {
      assertThat(TestSessions.remoteUser(session)).isEqualTo(System.getProperty("user.name"));
    }
  }

  @Test
  void userInTheTargetOverridesTheConfig() throws Exception {
    Path config = config("override_config", hostBlock("override", target, "scpsync-no-such-user"));

    try (SshConnector connector = connector(config, knownHosts);
        ClientSession session = connector.connect(TargetSpec.parse(target.user() + "@override:/tmp"))) {
      assertThat(session.getUsername()).isEqualTo(target.user());
      assertThat(echo(session, "overridden")).isEqualTo("overridden");
    }
  }

  private static Path jumpConfig(String name, OpenSshServer jump) throws Exception {
    return config(name,
        hostBlock("jumphost", jump, jump.user()),
        hostBlock("behindjump", target, target.user()),
        "  ProxyJump jumphost");
  }

  @Test
  void proxyJumpReachesTheTargetThroughTheJumpHost() throws Exception {
    try (OpenSshServer jump = OpenSshServer.withTcpForwarding(dir.resolve("jump"))) {
      Path trusted = Files.writeString(dir.resolve("known_hosts_with_jump"),
          Files.readString(target.knownHosts()) + Files.readString(jump.knownHosts()));
      Path config = jumpConfig("jump_config", jump);

      try (SshConnector connector = connector(config, trusted);
          ClientSession session = connector.connect(TargetSpec.parse("behindjump:/tmp"))) {
        assertThat(echo(session, "jumped")).isEqualTo("jumped");
        // The transport is a tunnel through the jump host, not a socket to the target's port.
        assertThat(((InetSocketAddress) session.getIoSession().getRemoteAddress()).getPort()).isNotEqualTo(target.port());

        jump.stop();

        await("session through the stopped jump host closes").atMost(Duration.ofSeconds(15)).until(session::isClosed);
        assertThatThrownBy(() -> connector.connect(TargetSpec.parse("behindjump:/tmp")))
            .isInstanceOfSatisfying(SshConnectException.class,
                e -> assertThat(e.step()).as(e.getMessage()).isEqualTo(SshConnectException.Step.CONNECT));
      }
    }
  }

  @Test
  void hostKeyBehindAJumpHostIsCheckedAndRecordedUnderTheTargetsName() throws Exception {
    try (OpenSshServer jump = OpenSshServer.withTcpForwarding(dir.resolve("jump-accept-new"))) {
      Path trusted = Files.copy(jump.knownHosts(), dir.resolve("known_hosts_jump_only"));
      Path config = jumpConfig("jump_accept_new_config", jump);
      SshOptions options = isolated(trusted, List.of()).withSshConfig(config).withAcceptNew(true);

      try (SshConnector connector = new SshConnector(options, Map.of());
          ClientSession session = connector.connect(TargetSpec.parse("behindjump:/tmp"))) {
        assertThat(echo(session, "recorded")).isEqualTo("recorded");
      }

      assertThat(Files.readAllLines(trusted)).hasSize(2).last()
          .satisfies(line -> assertThat(line.split(" ")).containsExactly(Files.readString(target.knownHosts()).strip().split(" ")));
    }
  }
}
