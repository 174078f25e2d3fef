package dev.scpsync.testing;

import dev.scpsync.receiver.Receiver;
import dev.scpsync.receiver.ReceiverConfig;
import dev.scpsync.transport.ssh.SshOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * A running server of one {@link ServerKind}, with what a client needs to reach it (known_hosts,
 * user key) and a way to see its files directly on disk, since every server runs on this machine.
 */
public final class TestServer implements AutoCloseable {
  private static final java.util.concurrent.atomic.AtomicInteger LOCATIONS = new java.util.concurrent.atomic.AtomicInteger();
  private final ServerKind kind;
  private final OpenSshServer openssh;
  private final Receiver receiver;
  private final Path receiverRoot;
  private final Path knownHosts;
  private final Path userKey;

  private TestServer(ServerKind kind, OpenSshServer openssh, Receiver receiver, Path receiverRoot, Path knownHosts, Path userKey) {
    this.kind = kind;
    this.openssh = openssh;
    this.receiver = receiver;
    this.receiverRoot = receiverRoot;
    this.knownHosts = knownHosts;
    this.userKey = userKey;
  }

  public static TestServer start(ServerKind kind, Path dir) throws IOException, InterruptedException {
    return switch (kind) {
      case OPENSSH_SFTP -> wrap(kind, OpenSshServer.withSftp(dir));
      case OPENSSH_SCP_ONLY -> wrap(kind, OpenSshServer.scpOnly(dir));
      case EMBEDDED_RECEIVER -> startReceiver(dir);
    };
  }

  /** An OpenSSH server started with other settings, as a test server of its kind. */
  public static TestServer of(ServerKind kind, OpenSshServer server) {
    return wrap(kind, server);
  }

  private static TestServer wrap(ServerKind kind, OpenSshServer server) {
    return new TestServer(kind, server, null, null, server.knownHosts(), server.userKey());
  }

  private static TestServer startReceiver(Path dir) throws IOException, InterruptedException {
    RequiredTools.require("ssh-keygen", "/usr/bin/ssh-keygen");
    Files.createDirectories(dir);
    Path key = dir.resolve("user_ed25519");
    Processes.runOk(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
    Files.copy(dir.resolve("user_ed25519.pub"), dir.resolve("authorized_keys"));
    Path root = Files.createDirectories(dir.resolve("root"));
    Receiver receiver = new Receiver(new ReceiverConfig(root, "127.0.0.1", 0, dir.resolve("authorized_keys"), dir.resolve("host_key")));
    receiver.start();
    Path knownHosts = dir.resolve("known_hosts");
    Files.writeString(knownHosts, "[127.0.0.1]:" + receiver.port() + " "
        + PublicKeyEntry.appendPublicKeyEntry(new StringBuilder(), receiver.hostPublicKey()) + "\n");
    return new TestServer(ServerKind.EMBEDDED_RECEIVER, null, receiver, root, knownHosts, key);
  }

  public ServerKind kind() {
    return kind;
  }

  public boolean supportsSymlinks() {
    return kind != ServerKind.OPENSSH_SCP_ONLY;
  }

  public int port() {
    return openssh != null ? openssh.port() : receiver.port();
  }

  public Path knownHosts() {
    return knownHosts;
  }

  public Path userKey() {
    return userKey;
  }

  public OpenSshServer openssh() {
    return openssh;
  }

  /**
   * A remote location for a test: the path the client names and the same place on local disk.
   *
   * @param name a fresh directory name for the test
   */
  public Location location(Path scratch, String name) throws IOException {
    if (receiver != null) {
      // Tests share one receiver root: give each location its own directory.
      String unique = name + "-" + LOCATIONS.incrementAndGet();
      return new Location("/" + unique, receiverRoot.resolve(unique));
    }
    Path onDisk = scratch.resolve(name).toAbsolutePath();
    return new Location(onDisk.toString(), onDisk);
  }

  /** A target spec naming a remote path on this server. */
  public String target(String remotePath) {
    String user = openssh != null ? openssh.user() : "tester";
    return user + "@127.0.0.1:" + port() + ":" + remotePath;
  }

  /** SSH options that trust exactly this server and offer its user key. */
  public SshOptions sshOptions() {
    return SshOptions.defaults().withKnownHosts(List.of(knownHosts)).withIdentities(List.of(userKey)).withAgent(false).withSshConfig(null);
  }

  /** CLI arguments equivalent to {@link #sshOptions()}. */
  public List<String> cliOptions() {
    return List.of("--known-hosts", knownHosts.toString(), "-i", userKey.toString(), "--no-agent", "-F", "/dev/null");
  }

  /** A remote path as the client names it, and where it lies on this machine's disk. */
  public record Location(String remotePath, Path onDisk) {}

  @Override
  public void close() throws IOException {
    if (openssh != null) {
      openssh.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Override
  public String toString() {
    return kind.name();
  }
}
