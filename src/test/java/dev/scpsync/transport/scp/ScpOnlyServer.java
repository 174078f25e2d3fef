package dev.scpsync.transport.scp;

import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.transport.ssh.SshOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.client.session.ClientSession;

/** An OpenSSH sshd without SFTP and a connector that trusts it, for one test class. */
final class ScpOnlyServer implements AutoCloseable {
  final OpenSshServer sshd;
  final SshConnector connector;

  private ScpOnlyServer(OpenSshServer sshd) {
    this.sshd = sshd;
    this.connector =
        new SshConnector(
            SshOptions.defaults()
                .withKnownHosts(List.of(sshd.knownHosts()))
                .withIdentities(List.of(sshd.userKey()))
                .withAgent(false)
                .withSshConfig(null));
  }

  static ScpOnlyServer start(Path dir) throws IOException, InterruptedException {
    return new ScpOnlyServer(OpenSshServer.scpOnly(dir));
  }

  ScpRemote open(Path root) throws IOException {
    return open(root, false);
  }

  ScpRemote open(Path root, boolean posixListing) throws IOException {
    ClientSession session = connector.connect(TargetSpec.parse(sshd.target(root)));
    return new ScpRemote(
        session,
        root.toString(),
        "scp://" + sshd.target(root),
        Duration.ofSeconds(20),
        posixListing);
  }

  @Override
  public void close() throws IOException {
    connector.close();
    sshd.close();
  }
}
