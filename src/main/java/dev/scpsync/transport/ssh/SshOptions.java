package dev.scpsync.transport.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to open SSH sessions: where trust comes from and which credentials to offer.
 *
 * @param knownHosts known_hosts files to check, in order; the first is where {@code acceptNew}
 *     appends (the user's {@code ~/.ssh/known_hosts} unless another file is given)
 * @param acceptNew OpenSSH's {@code StrictHostKeyChecking=accept-new}: record unknown hosts, then
 *     be strict; a changed key is refused regardless
 * @param identities private key files to offer, in addition to those of {@code ~/.ssh/config}
 *     and the default {@code ~/.ssh/id_*} files
 * @param sshConfig the ssh_config file for host aliases, or {@code null} for none
 * @param useAgent whether to ask the ssh-agent at {@code SSH_AUTH_SOCK}
 * @param connectTimeout TCP connect plus key exchange
 * @param authTimeout user authentication
 * @param ciphers cipher names in preference order, or empty for scpsync's default order
 * @param compression SSH transport compression ({@code zlib@openssh.com}, delayed until
 *     authenticated, the only kind OpenSSH accepts): off, on, or auto (level chosen by measuring)
 */
public record SshOptions(
    List<Path> knownHosts,
    boolean acceptNew,
    List<Path> identities,
    Path sshConfig,
    boolean useAgent,
    Duration connectTimeout,
    Duration authTimeout,
    List<String> ciphers,
    CompressionMode compression) {

  public SshOptions {
    knownHosts = List.copyOf(knownHosts);
    identities = List.copyOf(identities);
    ciphers = List.copyOf(ciphers);
  }

  private static Path sshDir() {
    return Path.of(System.getProperty("user.home"), ".ssh");
  }

  /** The user's defaults: ~/.ssh/known_hosts, ~/.ssh/config, default keys, the agent. */
  public static SshOptions defaults() {
    return new SshOptions(
        List.of(sshDir().resolve("known_hosts")),
        false,
        List.of(),
        sshDir().resolve("config"),
        true,
        Duration.ofSeconds(15),
        Duration.ofSeconds(30),
        List.of(),
        CompressionMode.OFF);
  }

  /** The default private key files OpenSSH tries, in its order. */
  public static List<Path> defaultIdentityFiles() {
    Path dir = sshDir();
    return List.of(dir.resolve("id_ed25519"), dir.resolve("id_ecdsa"), dir.resolve("id_rsa"));
  }

  public SshOptions withKnownHosts(List<Path> files) {
    return new SshOptions(files, acceptNew, identities, sshConfig, useAgent, connectTimeout, authTimeout, ciphers, compression);
  }

  public SshOptions withAcceptNew(boolean value) {
    return new SshOptions(knownHosts, value, identities, sshConfig, useAgent, connectTimeout, authTimeout, ciphers, compression);
  }

  public SshOptions withIdentities(List<Path> files) {
    return new SshOptions(knownHosts, acceptNew, files, sshConfig, useAgent, connectTimeout, authTimeout, ciphers, compression);
  }

  public SshOptions withSshConfig(Path file) {
    return new SshOptions(knownHosts, acceptNew, identities, file, useAgent, connectTimeout, authTimeout, ciphers, compression);
  }

  public SshOptions withAgent(boolean value) {
    return new SshOptions(knownHosts, acceptNew, identities, sshConfig, value, connectTimeout, authTimeout, ciphers, compression);
  }

  public SshOptions withCiphers(List<String> names) {
    return new SshOptions(knownHosts, acceptNew, identities, sshConfig, useAgent, connectTimeout, authTimeout, names, compression);
  }

  public SshOptions withCompression(CompressionMode value) {
    return new SshOptions(knownHosts, acceptNew, identities, sshConfig, useAgent, connectTimeout, authTimeout, ciphers,
        value);
  }
}
