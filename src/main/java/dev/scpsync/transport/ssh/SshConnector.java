package dev.scpsync.transport.ssh;

import dev.scpsync.transport.TargetSpec;
import java.io.Closeable;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.common.compression.BuiltinCompressions;
import org.apache.sshd.common.compression.CompressionFactory;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.client.config.hosts.ConfigFileHostEntryResolver;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.OsUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens authenticated SSH sessions. One connector holds one MINA client (one I/O thread pool) and
 * may open many sessions; each session carries many channels.
 *
 * <p>Host keys are always checked by {@link KnownHostsVerifier}; MINA's default accept-all
 * verifier is replaced before the client starts and is never reachable. Credentials tried, in
 * order: the ssh-agent (when {@code SSH_AUTH_SOCK} is set), key files (explicit, from
 * ssh_config, then OpenSSH's defaults), then the password in {@code SCPSYNC_PASSWORD}.
 *
 * <p>Thread-safe.
 */
public final class SshConnector implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(SshConnector.class);
  static final String PASSWORD_ENV = "SCPSYNC_PASSWORD";

  /** Each channel's receive window: 16 MiB keeps one download at 160 MiB/s over a 100 ms link. */
  static final long RECEIVE_WINDOW = 16L << 20;
  /** The post-quantum hybrid key exchange OpenSSH 9.9 and later (and the embedded receiver) offer. */
  static final String MLKEM_KEX = "mlkem768x25519-sha256";

  private final SshOptions options;
  private final SshClient client;
  private final KnownHostsVerifier verifier;
  private final HostConfigEntryResolver hosts;
  private final Map<String, String> env;
  private final boolean agentInUse;

  public SshConnector(SshOptions options) {
    this(options, System.getenv());
  }

  /**
   * A connector that reads {@code SSH_AUTH_SOCK}, {@code SCPSYNC_KEY_PASSPHRASE} and {@code
   * SCPSYNC_PASSWORD} from {@code env} instead of the process environment, which Java cannot
   * change in-process; tests use it to point at their own agent and passphrases.
   */
  SshConnector(SshOptions options, Map<String, String> env) {
    this(options, env, AdaptiveZlib.FACTORY);
  }

  /** As above, with the compression {@code compression: auto} negotiates (tests pass their own clock). */
  SshConnector(SshOptions options, Map<String, String> env, CompressionFactory adaptive) {
    this.options = options;
    this.env = Map.copyOf(env);
    this.verifier = new KnownHostsVerifier(options.knownHosts(), options.acceptNew());
    this.hosts = options.sshConfig() != null && Files.isRegularFile(options.sshConfig())
        ? new ConfigFileHostEntryResolver(options.sshConfig())
        : HostConfigEntryResolver.EMPTY;
    KeyFilePassphrases passphrases = new KeyFilePassphrases(this.env);
    this.client = ClientBuilder.builder()
        .serverKeyVerifier(verifier)
        .hostConfigEntryResolver(hosts)
        .filePasswordProvider(passphrases)
        .build();
    client.setCipherFactories(Ciphers.preferred(options.ciphers()));
    client.setKeyExchangeFactories(mlkemFirst(client.getKeyExchangeFactories()));
    // Our preference order; the server picks the first it also has (OpenSSH: zlib@openssh.com
    // unless its Compression is "no", then none). JDK Deflater underneath: no extra library.
    switch (options.compression()) {
      case ON -> client.setCompressionFactories(List.of(BuiltinCompressions.delayedZlib, BuiltinCompressions.zlib,
          BuiltinCompressions.none));
      case AUTO -> client.setCompressionFactories(List.of(adaptive, BuiltinCompressions.none));
      case OFF -> { }
    }
    // As OpenSSH: the default ~/.ssh/id_* files are offered only when no key file was named, so
    // a server with a low MaxAuthTries is not exhausted by keys the user did not ask for.
    List<java.nio.file.Path> defaults = options.identities().isEmpty() ? SshOptions.defaultIdentityFiles() : List.of();
    client.setKeyIdentityProvider(new KeyFileIdentities(options.identities(), defaults, passphrases));
    this.agentInUse = options.useAgent() && AgentSupport.configure(client, this.env);
    // Many small request/reply exchanges (SFTP, SCP acks): Nagle's algorithm would hold each
    // small write back for the previous one's ACK. OpenSSH sets TCP_NODELAY too.
    CoreModuleProperties.TCP_NODELAY.set(client, true);
    // What a channel may receive before we acknowledge it: 2 MiB by default, which holds a
    // download to 2 MiB per round trip (20 MiB/s at 100 ms, as OpenSSH's own scp and sftp).
    // MINA's SFTP reader keeps about this much read ahead, so it is also the download's depth.
    CoreModuleProperties.WINDOW_SIZE.set(client, RECEIVE_WINDOW);
    // Keepalives that expect a reply: a dead peer is noticed within about a minute even when idle.
    CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, Duration.ofSeconds(15));
    CoreModuleProperties.HEARTBEAT_REQUEST.set(client, "keepalive@openssh.com");
    CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(client, Duration.ofSeconds(15));
    CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 3);
    client.start();
  }

  public SshOptions options() {
    return options;
  }

  /**
   * Where the target's SSH server listens, after {@code ~/.ssh/config} ({@code HostName}, {@code
   * Port}), unresolved so that each use looks the name up again; empty behind a {@code ProxyJump},
   * where the server cannot be reached directly. For probing whether a lost target is back.
   */
  public java.util.Optional<java.net.InetSocketAddress> directAddress(TargetSpec target) {
    int port = target.port() > 0 ? target.port() : 0;
    String host = target.host();
    try {
      org.apache.sshd.client.config.hosts.HostConfigEntry entry =
          hosts.resolveEffectiveHost(target.host(), port, null, target.user(), null, null);
      if (entry != null) {
        if (entry.getProxyJump() != null && !entry.getProxyJump().isBlank()) {
          return java.util.Optional.empty();
        }
        host = entry.getHostName() != null ? entry.getHostName() : host;
        port = entry.getPort() > 0 ? entry.getPort() : port;
      }
    } catch (IOException | RuntimeException e) {
      log.debug("cannot read the ssh config entry of {}: {}", target.display(), e.toString());
    }
    return java.util.Optional.of(java.net.InetSocketAddress.createUnresolved(host, port > 0 ? port : 22));
  }

  /**
   * Connects and authenticates.
   *
   * @throws SshConnectException naming the host, the failed step and the reason
   */
  public ClientSession connect(TargetSpec target) throws SshConnectException {
    String user = target.user() != null ? target.user() : null;
    String where = target.display();
    ClientSession session;
    try {
      int port = target.port() > 0 ? target.port() : 0;
      // OpenSSH's order: the target's user, else the config's User (MINA fills it in, or the local
      // name when the entry has none), else, for a host the config does not know, the local name.
      String login = user != null || hosts.resolveEffectiveHost(target.host(), port, null, null, null, null) != null
          ? user : OsUtils.getCurrentUser();
      ConnectFuture future = client.connect(login, target.host(), port);
      future.verify(options.connectTimeout());
      session = future.getSession();
    } catch (IOException | RuntimeException e) {
      throw connectFailure(target, e);
    }
    if (user == null && session.getUsername() == null) {
      session.close(true);
      throw new SshConnectException(SshConnectException.Step.AUTHENTICATION, "no user name for " + where, null);
    }
    String password = env.get(PASSWORD_ENV);
    if (password != null && !password.isEmpty()) {
      session.addPasswordIdentity(password);
    }
    try {
      session.auth().verify(options.authTimeout());
      if (session.getCompressionInformation(false) instanceof AdaptiveZlib adaptive) {
        adaptive.label(where);
      }
      return session;
    } catch (IOException | RuntimeException e) {
      HostKeyRejected rejected = verifier.takeRejection(session);
      session.close(true);
      if (rejected != null) {
        throw new SshConnectException(SshConnectException.Step.HOST_KEY, rejected.message(), null);
      }
      KeyFileException keyFile = findCause(e, KeyFileException.class);
      if (keyFile != null) {
        throw new SshConnectException(SshConnectException.Step.AUTHENTICATION,
            "authentication as " + session.getUsername() + " to " + hostPort(session, target) + " failed: " + keyFile.getMessage(), e);
      }
      String reason = rootMessage(e);
      if (reason.toLowerCase().contains("no more authentication methods") || reason.toLowerCase().contains("auth")) {
        throw new SshConnectException(SshConnectException.Step.AUTHENTICATION,
            "authentication as " + session.getUsername() + " to " + hostPort(session, target) + " failed: " + describeCredentials() + " were all refused", e);
      }
      throw new SshConnectException(SshConnectException.Step.KEY_EXCHANGE,
          "SSH handshake with " + hostPort(session, target) + " failed: " + reason, e);
    }
  }

  private String describeCredentials() {
    List<String> tried = new ArrayList<>();
    if (agentInUse) {
      tried.add("agent keys");
    }
    if (!options.identities().isEmpty()) {
      tried.add("key files " + options.identities());
    } else {
      tried.add("default key files (~/.ssh/id_ed25519, id_ecdsa, id_rsa)");
    }
    if (env.get(PASSWORD_ENV) != null) {
      tried.add("the password from " + PASSWORD_ENV);
    }
    return String.join(", ", tried);
  }

  private static String hostPort(ClientSession session, TargetSpec target) {
    var address = session.getConnectAddress();
    return address != null ? String.valueOf(address).replaceFirst("^/", "") : target.host();
  }

  private static SshConnectException connectFailure(TargetSpec target, Exception e) {
    String where = target.host() + (target.port() > 0 ? ":" + target.port() : "");
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof UnknownHostException) {
      return new SshConnectException(SshConnectException.Step.RESOLVE, "cannot resolve host " + target.host() + ": unknown host", e);
    }
    String reason = root instanceof ConnectException ? "connection refused"
        : root instanceof NoRouteToHostException ? "no route to host"
        : rootMessage(e);
    return new SshConnectException(SshConnectException.Step.CONNECT, "cannot connect to " + where + ": " + reason, e);
  }

  private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message.strip();
  }

  @Override
  public void close() throws IOException {
    log.debug("closing SSH client");
    client.stop();
    client.close();
  }

  /**
   * MINA's key exchanges with ML-KEM first, as OpenSSH 10 orders them; MINA puts sntrup761 first.
   * Both are post-quantum hybrids, but generating an sntrup761 key costs a just-started JVM more:
   * connecting to the embedded receiver took 158-284 ms with sntrup761, 119-183 ms with ML-KEM
   * (curve25519 alone: 88-140 ms). Servers without ML-KEM (OpenSSH before 9.9) still get sntrup761.
   */
  static List<KeyExchangeFactory> mlkemFirst(List<KeyExchangeFactory> kex) {
    List<KeyExchangeFactory> ordered = new ArrayList<>(kex);
    ordered.sort(Comparator.comparing(f -> !f.getName().equals(MLKEM_KEX))); // stable: the rest keep their order
    return ordered;
  }
}
