package dev.scpsync.transport.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.Processes;
import dev.scpsync.testing.RequiredTools;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentConstants;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Talks to a real OpenSSH {@code ssh-agent} started in a temp directory and loaded with freshly
 * generated keys through {@code ssh-add}; nothing here touches the developer's own agent.
 */
class UnixSocketAgentTest {
  private static final Path SSH_AGENT = Path.of("/usr/bin/ssh-agent");
  private static final Path SSH_ADD = Path.of("/usr/bin/ssh-add");

  @TempDir static Path dir;

  private static Path keys;
  private static AgentProcess loaded;
  private final List<AgentProcess> extraAgents = new ArrayList<>();

  @BeforeAll
  static void startAgentHoldingOneKeyOfEachKind() throws Exception {
    RequiredTools.require("ssh-agent", SSH_AGENT.toString());
    RequiredTools.require("ssh-add", SSH_ADD.toString());
    RequiredTools.require("ssh-keygen", "/usr/bin/ssh-keygen");
    keys = Files.createDirectories(dir.resolve("keys"));
    for (KeyKind kind : KeyKind.values()) {
      Processes.runOk(
          List.of(
              "ssh-keygen",
              "-q",
              "-t",
              kind.name().toLowerCase(),
              "-N",
              "",
              "-C",
              kind.comment(),
              "-f",
              kind.privateKey().toString()));
    }
    loaded = AgentProcess.start(dir.resolve("loaded"));
    for (KeyKind kind : KeyKind.values()) {
      loaded.add(kind.privateKey());
    }
  }

  @AfterAll
  static void stopLoadedAgent() {
    if (loaded != null) {
      loaded.close();
    }
  }

  @AfterEach
  void stopExtraAgents() {
    extraAgents.forEach(AgentProcess::close);
  }

  @Test
  void listsEveryKeyTheAgentHoldsWithItsComment() throws Exception {
    try (UnixSocketAgent agent = new UnixSocketAgent(loaded.socket())) {
      List<Map.Entry<PublicKey, String>> identities = agent.getIdentities();

      assertThat(identities).hasSize(KeyKind.values().length);
      for (KeyKind kind : KeyKind.values()) {
        PublicKey expected = kind.publicKey();
        assertThat(identities)
            .as("identity for %s", kind)
            .filteredOn(identity -> KeyUtils.compareKeys(identity.getKey(), expected))
            .singleElement()
            .extracting(Map.Entry::getValue)
            .isEqualTo(kind.comment());
      }
    }
  }

  @ParameterizedTest(name = "{0} key, {1}")
  @CsvSource({
    "ED25519, ssh-ed25519",
    "ECDSA, ecdsa-sha2-nistp256",
    "RSA, rsa-sha2-256",
    "RSA, rsa-sha2-512",
    "RSA, ssh-rsa",
  })
  void signaturesVerifyWithThePublicKey(KeyKind kind, String algorithm) throws Exception {
    PublicKey key = kind.publicKey();
    byte[] data = "session id and userauth request".getBytes(StandardCharsets.UTF_8);

    try (UnixSocketAgent agent = new UnixSocketAgent(loaded.socket())) {
      Map.Entry<String, byte[]> signature = agent.sign(null, key, algorithm, data);

      // For RSA this shows the flags reached the agent: without them it answers ssh-rsa (SHA-1).
      assertThat(signature.getKey()).isEqualTo(algorithm);
      assertThat(verifies(algorithm, key, data, signature.getValue())).isTrue();
      byte[] other = data.clone();
      other[0] ^= 1;
      assertThat(verifies(algorithm, key, other, signature.getValue())).isFalse();
    }
  }

  @Test
  void oneClientServesConcurrentSigners() throws Exception {
    PublicKey key = KeyKind.ED25519.publicKey();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (UnixSocketAgent agent = new UnixSocketAgent(loaded.socket())) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        byte[] data = ("request " + i).getBytes(StandardCharsets.UTF_8);
        results.add(
            pool.submit(
                () -> {
                  Map.Entry<String, byte[]> signature = agent.sign(null, key, "ssh-ed25519", data);
                  return verifies("ssh-ed25519", key, data, signature.getValue());
                }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void agentWithoutKeysListsNothing() throws Exception {
    AgentProcess empty = startExtraAgent("empty");
    try (UnixSocketAgent agent = new UnixSocketAgent(empty.socket())) {
      assertThat(agent.getIdentities()).isEmpty();
    }
  }

  @Test
  void refusalToSignNamesSocketAndStepButNotTheData() throws Exception {
    AgentProcess empty = startExtraAgent("refuses");
    PublicKey key = KeyKind.ED25519.publicKey();
    byte[] data = "secret-looking payload".getBytes(StandardCharsets.UTF_8);

    try (UnixSocketAgent agent = new UnixSocketAgent(empty.socket())) {
      assertThatThrownBy(() -> agent.sign(null, key, "ssh-ed25519", data))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(empty.socket().toString())
          .hasMessageContaining("sign (ssh-ed25519) with ssh-ed25519 key")
          .hasMessageContaining("refused")
          .hasMessageNotContaining("secret-looking")
          .hasMessageNotContaining(HexFormat.of().formatHex(data));
    }
  }

  @Test
  void missingSocketFailsNamingThePath() {
    Path missing = dir.resolve("no-agent-here/agent.sock");
    UnixSocketAgent agent = new UnixSocketAgent(missing);

    assertThatThrownBy(agent::getIdentities)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("connect");
  }

  @Test
  void reconnectsAfterTheAgentRestarts() throws Exception {
    Path socketDir = dir.resolve("restarting");
    AgentProcess first = startExtraAgent("restarting");
    try (UnixSocketAgent agent = new UnixSocketAgent(first.socket())) {
      assertThat(agent.getIdentities()).isEmpty();

      first.close();
      assertThatThrownBy(agent::getIdentities)
          .isInstanceOf(IOException.class)
          .hasMessageContaining(first.socket().toString());

      AgentProcess second = AgentProcess.start(socketDir);
      extraAgents.add(second);
      second.add(KeyKind.ECDSA.privateKey());
      assertThat(agent.getIdentities())
          .singleElement()
          .satisfies(
              id ->
                  assertThat(KeyUtils.compareKeys(id.getKey(), KeyKind.ECDSA.publicKey()))
                      .isTrue());
    }
  }

  @Test
  void closedClientRefusesRequestsAndLeavesTheAgentRunning() throws Exception {
    UnixSocketAgent agent = new UnixSocketAgent(loaded.socket());
    assertThat(agent.getIdentities()).isNotEmpty();

    agent.close();

    assertThat(agent.isOpen()).isFalse();
    assertThatThrownBy(agent::getIdentities)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(loaded.socket().toString())
        .hasMessageContaining("closed");
    try (UnixSocketAgent another = new UnixSocketAgent(loaded.socket())) {
      assertThat(another.getIdentities()).hasSize(KeyKind.values().length);
    }
  }

  @Test
  void neverChangesTheUsersAgent() throws Exception {
    try (UnixSocketAgent agent = new UnixSocketAgent(loaded.socket())) {
      PublicKey key = KeyKind.RSA.publicKey();
      assertThatThrownBy(agent::removeAllIdentities)
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> agent.removeIdentity(key))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> agent.addIdentity(null, "x"))
          .isInstanceOf(UnsupportedOperationException.class);

      assertThat(agent.getIdentities()).hasSize(KeyKind.values().length);
    }
  }

  /**
   * OpenSSH's agent only holds key types MINA can decode, so this uses a stand-in agent on a real
   * socket that answers one identities request with an unknown key type next to a real key.
   */
  @Test
  void skipsKeysMinaCannotDecode() throws Exception {
    Path socket = dir.resolve("fake-agent.sock");
    PublicKey real = KeyKind.ED25519.publicKey();
    Buffer answer = new ByteArrayBuffer();
    answer.putByte(SshAgentConstants.SSH2_AGENT_IDENTITIES_ANSWER);
    answer.putUInt(2);
    Buffer unknown = new ByteArrayBuffer();
    unknown.putString("ssh-future-key@example.com");
    unknown.putBytes(new byte[] {1, 2, 3});
    answer.putBytes(unknown.getCompactData());
    answer.putString("exotic");
    answer.putPublicKey(real);
    answer.putString("real");

    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      CompletableFuture<Integer> requestType =
          CompletableFuture.supplyAsync(() -> serveOnce(server, answer.getCompactData()));

      try (UnixSocketAgent agent = new UnixSocketAgent(socket)) {
        List<Map.Entry<PublicKey, String>> identities = agent.getIdentities();

        assertThat(requestType.get(10, TimeUnit.SECONDS))
            .isEqualTo((int) SshAgentConstants.SSH2_AGENTC_REQUEST_IDENTITIES);
        assertThat(identities)
            .singleElement()
            .satisfies(
                id -> {
                  assertThat(KeyUtils.compareKeys(id.getKey(), real)).isTrue();
                  assertThat(id.getValue()).isEqualTo("real");
                });
      }
    }
  }

  @Test
  void factoryFromEnvironmentUsesAnExistingAgentSocket() throws Exception {
    UnixSocketAgentFactory factory =
        UnixSocketAgentFactory.fromEnvironment(
                Map.of(SshAgent.SSH_AUTHSOCKET_ENV_NAME, loaded.socket().toString()))
            .orElseThrow();

    assertThat(factory.socketPath()).isEqualTo(loaded.socket());
    assertThat(factory.getChannelForwardingFactories(null)).isEmpty();
    assertThatThrownBy(() -> factory.createServer(null))
        .isInstanceOf(UnsupportedOperationException.class);
    try (SshAgent agent = factory.createClient(null, null)) {
      assertThat(agent.getIdentities()).hasSize(KeyKind.values().length);
    }
  }

  @Test
  void factoryFromEnvironmentIgnoresUnsetEmptyOrStaleSockets() throws Exception {
    Path regularFile = Files.writeString(dir.resolve("not-a-socket"), "x");
    String name = SshAgent.SSH_AUTHSOCKET_ENV_NAME;

    assertThat(UnixSocketAgentFactory.fromEnvironment(Map.of())).isEmpty();
    assertThat(UnixSocketAgentFactory.fromEnvironment(Map.of(name, ""))).isEmpty();
    assertThat(
            UnixSocketAgentFactory.fromEnvironment(
                Map.of(name, dir.resolve("gone.sock").toString())))
        .isEmpty();
    assertThat(UnixSocketAgentFactory.fromEnvironment(Map.of(name, regularFile.toString())))
        .isEmpty();
    assertThat(UnixSocketAgentFactory.fromEnvironment(Map.of(name, dir.toString()))).isEmpty();
  }

  private AgentProcess startExtraAgent(String name) throws Exception {
    AgentProcess agent = AgentProcess.start(dir.resolve(name));
    extraAgents.add(agent);
    return agent;
  }

  private static boolean verifies(String algorithm, PublicKey key, byte[] data, byte[] signature)
      throws Exception {
    Signature verifier = BuiltinSignatures.fromFactoryName(algorithm).create();
    verifier.initVerifier(null, key);
    verifier.update(null, data);
    return verifier.verify(null, signature);
  }

  /** Reads one framed request, answers with {@code reply}, returns the request's type. */
  private static int serveOnce(ServerSocketChannel server, byte[] reply) {
    try (SocketChannel client = server.accept()) {
      ByteBuffer header = ByteBuffer.allocate(4);
      readFully(client, header);
      ByteBuffer request = ByteBuffer.allocate(header.getInt(0));
      readFully(client, request);
      ByteBuffer out = ByteBuffer.allocate(4 + reply.length).putInt(reply.length).put(reply).flip();
      while (out.hasRemaining()) {
        client.write(out);
      }
      return request.get(0) & 0xff;
    } catch (IOException e) {
      throw new IllegalStateException("stand-in agent failed", e);
    }
  }

  private static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new IOException("peer closed early");
      }
    }
  }

  enum KeyKind {
    ED25519,
    ECDSA,
    RSA;

    String comment() {
      return "scpsync-test-" + name().toLowerCase();
    }

    Path privateKey() {
      return keys.resolve("id_" + name().toLowerCase());
    }

    PublicKey publicKey() throws Exception {
      Path pub = keys.resolve("id_" + name().toLowerCase() + ".pub");
      AuthorizedKeyEntry entry = AuthorizedKeyEntry.readAuthorizedKeys(pub).get(0);
      assertThat(entry.getComment()).isEqualTo(comment());
      return entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
    }
  }
}
