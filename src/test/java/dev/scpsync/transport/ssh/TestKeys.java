package dev.scpsync.transport.ssh;

import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.testing.Processes;
import dev.scpsync.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** User keys made by the real {@code ssh-keygen}, and their authorization on a test server. */
final class TestKeys {
  private TestKeys() {}

  /**
   * Generates a key pair at {@code dir/name} (private) and {@code dir/name.pub}.
   *
   * @param type an {@code ssh-keygen -t} type: ed25519, ecdsa, rsa
   * @param passphrase the passphrase, "" for an unencrypted key
   */
  static Path generate(Path dir, String name, String type, String passphrase) throws IOException, InterruptedException {
    RequiredTools.require("ssh-keygen", "/usr/bin/ssh-keygen");
    Files.createDirectories(dir);
    Path key = dir.resolve(name);
    Processes.runOk(List.of("ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", "scpsync-" + name, "-f", key.toString()));
    return key;
  }

  /** Adds the public half of {@code privateKey} to the server's authorized_keys. */
  static void authorize(OpenSshServer server, Path privateKey) throws IOException {
    Path authorized = server.knownHosts().resolveSibling("authorized_keys");
    String line = Files.readString(privateKey.resolveSibling(privateKey.getFileName() + ".pub"), StandardCharsets.UTF_8).strip();
    Files.writeString(authorized, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }
}
