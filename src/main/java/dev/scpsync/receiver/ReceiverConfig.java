package dev.scpsync.receiver;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to run the embedded receiver: what it serves, where it listens and whom it lets in.
 *
 * @param root the directory clients see as {@code /}; nothing outside it is reachable
 * @param bindAddress the address to listen on, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port the TCP port to listen on; {@code 0} picks a free one (see {@link Receiver#port()})
 * @param authorizedKeys an OpenSSH {@code authorized_keys} file; it is re-read when it changes
 * @param hostKeyFile the host's private key (OpenSSH format); generated there if missing
 * @param auditLog a file to append the audit log to (JSON lines), or null to log it as INFO
 */
public record ReceiverConfig(
    Path root, String bindAddress, int port, Path authorizedKeys, Path hostKeyFile, Path auditLog) {

  /** Without an audit log file. */
  public ReceiverConfig(Path root, String bindAddress, int port, Path authorizedKeys, Path hostKeyFile) {
    this(root, bindAddress, port, authorizedKeys, hostKeyFile, null);
  }

  /** Validates the values themselves; whether the files exist is checked by {@link Receiver}. */
  public ReceiverConfig {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(authorizedKeys, "authorizedKeys");
    Objects.requireNonNull(hostKeyFile, "hostKeyFile");
    if (bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
  }
}
