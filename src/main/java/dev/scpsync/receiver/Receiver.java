package dev.scpsync.receiver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * scpsync's embedded SSH server: lets clients write into one directory over SFTP or the legacy
 * SCP protocol, and nothing else.
 *
 * <p>What a client gets: the SFTP subsystem and {@code scp -t}/{@code scp -f}, both seeing the
 * served directory as {@code /} (absolute paths, {@code ..} and symlinks cannot lead outside it).
 * No shell, no other command (they fail with exit status 127), no port, agent or X11 forwarding.
 *
 * <p>Who gets in: whoever proves a key listed in the authorized-keys file, under any user name;
 * every user sees the same root and the name is only logged. Password and keyboard-interactive
 * logins are not offered. The file is re-read when it changes, so keys can be added or revoked
 * while the receiver runs. A key with an option the receiver cannot enforce, such as {@code
 * command="..."}, is ignored (logged as a warning) rather than given full access.
 *
 * <p>Lifecycle: {@link #start()}, then {@link #close()}; a closed receiver may be started again.
 * Thread-safe.
 */
public final class Receiver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);

  private final ReceiverConfig config;
  private SshServer server;
  private PublicKey hostPublicKey;
  private AuditLog auditLog;

  /** Creates a receiver for {@code config}; nothing is read or opened until {@link #start()}. */
  public Receiver(ReceiverConfig config) {
    this.config = config;
  }

  /**
   * Loads (or creates) the host key and listens; returns once connections are accepted.
   *
   * @throws IOException if the root is not a directory, the authorized-keys file is missing, the
   *     host key cannot be read or written, or the address cannot be bound
   * @throws IllegalStateException if already started
   */
  public synchronized void start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("receiver already started");
    }
    if (!Files.isDirectory(config.root())) {
      throw new IOException("root is not a directory: " + config.root());
    }
    if (!Files.isRegularFile(config.authorizedKeys())) {
      throw new IOException("authorized keys file not found: " + config.authorizedKeys());
    }
    Path root = config.root().toRealPath();
    KeyPair hostKey = HostKeyStore.loadOrCreate(config.hostKeyFile());

    SshServer ssh = SshServer.setUpDefaultServer();
    ssh.setHost(config.bindAddress());
    ssh.setPort(config.port());
    ssh.setKeyPairProvider(KeyPairProvider.wrap(hostKey));

    ssh.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    AuditLog audit = new AuditLog(config.auditLog());
    SessionAuditLog sessions = new SessionAuditLog(audit);
    ssh.setPublickeyAuthenticator(sessions.recordingKey(new AuthorizedKeysFile(config.authorizedKeys())));
    ssh.setPasswordAuthenticator(null);
    ssh.setKeyboardInteractiveAuthenticator(null);
    ssh.setGSSAuthenticator(null);
    ssh.setHostBasedAuthenticator(null);

    ssh.setFileSystemFactory(new ConfinedFileSystemFactory(root));
    SftpSubsystemFactory sftp =
        new SftpSubsystemFactory.Builder()
            .withSftpErrorStatusDataHandler(new OutsideRootStatus())
            .build();
    sftp.addSftpEventListener(audit);
    ssh.setSubsystemFactories(List.of(sftp));
    ssh.setCommandFactory(new ScpOnlyCommandFactory(audit));
    ssh.setShellFactory(null);

    // Only "session" channels: no direct-tcpip (ssh -L) channel can even be opened. The filter
    // also refuses tcpip-forward (ssh -R), agent and X11 requests made on a session.
    ssh.setChannelFactories(List.of(ChannelSessionFactory.INSTANCE));
    ssh.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
    ssh.setAgentFactory(null);

    ssh.addSessionListener(sessions);
    try {
      ssh.start();
    } catch (IOException e) {
      ssh.stop(true);
      audit.close();
      throw new IOException(
          "cannot listen on " + config.bindAddress() + ":" + config.port() + ": " + e.getMessage(),
          e);
    }
    server = ssh;
    auditLog = audit;
    hostPublicKey = hostKey.getPublic();
    LOG.info(
        "receiver serving {} on {}:{} (host key {})",
        root,
        config.bindAddress(),
        port(),
        hostKeyFingerprint());
  }

  /** The TCP port listened on: the configured one, or the one picked when it was 0. */
  public synchronized int port() {
    requireStarted();
    for (SocketAddress address : server.getBoundAddresses()) {
      if (address instanceof InetSocketAddress inet) {
        return inet.getPort();
      }
    }
    return server.getPort();
  }

  /** The host key's fingerprint as OpenSSH prints it, e.g. {@code SHA256:2m8j...}. */
  public synchronized String hostKeyFingerprint() {
    requireStarted();
    return SessionAuditLog.fingerprint(hostPublicKey);
  }

  /** The host's public key, e.g. to write a {@code known_hosts} line for clients. */
  public synchronized PublicKey hostPublicKey() {
    requireStarted();
    return hostPublicKey;
  }

  /** Stops listening and closes every session at once. Does nothing if not running. */
  @Override
  public synchronized void close() throws IOException {
    if (server == null) {
      return;
    }
    try {
      server.stop(true);
    } finally {
      server = null;
      auditLog.close();
    }
  }

  private void requireStarted() {
    if (server == null) {
      throw new IllegalStateException("receiver not started");
    }
  }
}
