package dev.scpsync.cli;

import dev.scpsync.transport.Protocol;
import dev.scpsync.transport.ssh.CompressionMode;
import dev.scpsync.transport.ssh.SshOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/** SSH options shared by every command that connects. */
final class ConnectionOptions {
  @Option(names = "--protocol", paramLabel = "auto|sftp|scp", description = "Transfer protocol (default: ${DEFAULT-VALUE}: SFTP when the server offers it, else SCP).",
      defaultValue = "auto", converter = ProtocolConverter.class)
  Protocol protocol = Protocol.AUTO;

  @Option(names = "--accept-new", description = "Record the host key of a host not yet in known_hosts, then be strict (OpenSSH StrictHostKeyChecking=accept-new). A changed key is always refused.")
  boolean acceptNew;

  @Option(names = "--known-hosts", paramLabel = "FILE", description = "Also trust host keys in FILE (repeatable); --accept-new records new keys in the first one given.")
  List<Path> knownHosts = new ArrayList<>();

  @Option(names = {"-i", "--identity"}, paramLabel = "FILE", description = "Private key file to offer (repeatable), before ~/.ssh/id_ed25519, id_ecdsa, id_rsa.")
  List<Path> identities = new ArrayList<>();

  @Option(names = {"-F", "--ssh-config"}, paramLabel = "FILE", description = "ssh_config file for host aliases (default: ~/.ssh/config).")
  Path sshConfig;

  @Option(names = "--no-agent", description = "Do not ask the ssh-agent at SSH_AUTH_SOCK for keys.")
  boolean noAgent;

  @Option(names = "--cipher", paramLabel = "NAME[,NAME...]", split = ",", description = "Ciphers in preference order (default: AES-GCM first when the CPU has AES instructions).")
  List<String> ciphers = new ArrayList<>();

  @Option(names = {"-z", "--compress"}, description = "Compress the SSH connection (zlib@openssh.com): for slow links and compressible data; costs CPU. Same as --compression on.")
  boolean compress;

  @Option(names = "--compression", paramLabel = "on|off|auto", converter = CompressionConverter.class,
      description = "SSH compression: on, off (default), or auto: try off, level 1 and level 6 on the data being sent and keep the fastest, again now and then.")
  CompressionMode compression;

  SshOptions toSshOptions() {
    SshOptions defaults = SshOptions.defaults();
    List<Path> trust = new ArrayList<>(knownHosts);
    trust.addAll(defaults.knownHosts());
    SshOptions options = defaults
        .withKnownHosts(trust)
        .withAcceptNew(acceptNew)
        .withIdentities(identities)
        .withAgent(!noAgent)
        .withCiphers(ciphers)
        .withCompression(compression != null ? compression : compress ? CompressionMode.ON : CompressionMode.OFF);
    return sshConfig != null ? options.withSshConfig(sshConfig) : options;
  }

  static final class CompressionConverter implements picocli.CommandLine.ITypeConverter<CompressionMode> {
    @Override
    public CompressionMode convert(String value) {
      try {
        return CompressionMode.parse(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class ProtocolConverter implements picocli.CommandLine.ITypeConverter<Protocol> {
    @Override
    public Protocol convert(String value) {
      try {
        return Protocol.valueOf(value.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not a protocol; use one of " + Arrays.toString(new String[] {"auto", "sftp", "scp"}));
      }
    }
  }
}
