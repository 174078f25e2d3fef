package dev.scpsync.transport.ssh;

import dev.scpsync.testing.OpenSshServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.sshd.client.session.ClientSession;

/** Options that keep tests away from the machine's ~/.ssh, and proof that a session works. */
final class TestSessions {
  private TestSessions() {}

  /** Trusts exactly {@code knownHosts}, offers exactly {@code identities}; no agent, no ssh_config. */
  static SshOptions isolated(Path knownHosts, List<Path> identities) {
    return SshOptions.defaults()
        .withKnownHosts(List.of(knownHosts))
        .withIdentities(identities)
        .withAgent(false)
        .withSshConfig(null);
  }

  /** Trusts the server's host key and offers its user key. */
  static SshOptions isolated(OpenSshServer server) {
    return isolated(server.knownHosts(), List.of(server.userKey()));
  }

  /** Runs {@code echo} on the remote side and returns what came back, without the newline. */
  static String echo(ClientSession session, String word) throws IOException {
    return session.executeRemoteCommand("echo " + word).strip();
  }

  /** The login name the remote shell runs as. */
  static String remoteUser(ClientSession session) throws IOException {
    return session.executeRemoteCommand("id -un").strip();
  }
}
