package dev.scpsync.transport.ssh;

import static dev.scpsync.transport.ssh.TestSessions.echo;
import static dev.scpsync.transport.ssh.TestSessions.isolated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.transport.TargetSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Public-key authentication through a real {@code ssh-agent} holding keys loaded with {@code
 * ssh-add}; the connector is given no key files, so the agent is the only credential.
 */
class AgentAuthenticationTest {
  @TempDir static Path dir;

  private static OpenSshServer server;
  private final List<AgentProcess> agents = new ArrayList<>();

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

  @AfterEach
  void stopAgents() {
    agents.forEach(AgentProcess::close);
  }

  private AgentProcess agentHolding(String name, Path key) throws Exception {
    AgentProcess agent = AgentProcess.start(dir.resolve(name));
    agents.add(agent);
    agent.add(key);
    return agent;
  }

  private static SshOptions agentOnly() {
    return isolated(server.knownHosts(), List.of()).withAgent(true);
  }

  private static TargetSpec target() {
    return TargetSpec.parse(server.target(Path.of("/tmp")));
  }

  @Test
  void authenticatesWithTheAgentsKey() throws Exception {
    AgentProcess agent = agentHolding("right-agent", server.userKey());

    try (SshConnector connector = new SshConnector(agentOnly(), agent.environment());
        ClientSession session = connector.connect(target())) {
      assertThat(echo(session, "agent-ok")).isEqualTo("agent-ok");
    }
  }

  @Test
  void noAgentMeansNoAgentKeysEvenWhenOneIsRunning() throws Exception {
    AgentProcess agent = agentHolding("unused-agent", server.userKey());

    try (SshConnector connector = new SshConnector(agentOnly().withAgent(false), agent.environment())) {
      assertThatThrownBy(() -> connector.connect(target()))
          .isInstanceOfSatisfying(SshConnectException.class,
              e -> assertThat(e.step()).as(e.getMessage()).isEqualTo(SshConnectException.Step.AUTHENTICATION))
          .hasMessageNotContaining("agent");
    }
  }

  @Test
  void agentHoldingOnlyAWrongKeyFailsAtAuthentication() throws Exception {
    Path wrong = TestKeys.generate(dir.resolve("keys"), "id_wrong", "ed25519", "");
    AgentProcess agent = agentHolding("wrong-agent", wrong);

    try (SshConnector connector = new SshConnector(agentOnly(), agent.environment())) {
      assertThatThrownBy(() -> connector.connect(target()))
          .isInstanceOfSatisfying(SshConnectException.class,
              e -> assertThat(e.step()).as(e.getMessage()).isEqualTo(SshConnectException.Step.AUTHENTICATION))
          .hasMessageContaining("authentication as " + server.user())
          .hasMessageContaining("agent keys");
    }
  }

  @Test
  void staleAgentVariableFallsBackToKeyFilesAndIsNotReportedAsTried() throws Exception {
    Path stale = dir.resolve("dead-agent/agent.sock");
    SshOptions options = isolated(server.knownHosts(), List.of(server.userKey())).withAgent(true);
    try (SshConnector connector = new SshConnector(options, Map.of("SSH_AUTH_SOCK", stale.toString()));
        ClientSession session = connector.connect(target())) {
      assertThat(echo(session, "key-file")).isEqualTo("key-file");
    }

    Path stranger = TestKeys.generate(dir.resolve("keys"), "id_stranger", "ed25519", "");
    try (SshConnector connector = new SshConnector(
        options.withIdentities(List.of(stranger)), Map.of("SSH_AUTH_SOCK", stale.toString()))) {
      assertThatThrownBy(() -> connector.connect(target()))
          .isInstanceOf(SshConnectException.class)
          .hasMessageContaining(stranger.toString())
          .hasMessageNotContaining("agent");
    }
  }
}
