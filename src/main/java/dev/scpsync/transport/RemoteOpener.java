package dev.scpsync.transport;

import dev.scpsync.transport.scp.ScpRemote;
import dev.scpsync.transport.sftp.SftpRemote;
import dev.scpsync.transport.ssh.SshConnector;
import java.io.IOException;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens a {@link Remote} for a target: one session, SFTP when offered, else legacy SCP. */
public final class RemoteOpener {
  private static final Logger log = LoggerFactory.getLogger(RemoteOpener.class);

  private RemoteOpener() {}

  /** Most channels a target may be given: each is a server process (sftp-server, scp -t) too. */
  public static final int MAX_PARALLEL = 16;

  /**
   * Connects and opens the tree at the target's path.
   *
   * @param requested the protocol the user asked for; a URI scheme in the spec wins over AUTO
   * @param parallel most channels of the session its uploads use at once, 1 to {@link
   *     #MAX_PARALLEL}; 0: the transport's default (SFTP: {@link SftpRemote#DEFAULT_CHANNELS}, SCP:
   *     {@link ScpRemote#DEFAULT_SINKS})
   */
  public static Remote open(SshConnector connector, TargetSpec target, Protocol requested, int parallel)
      throws IOException {
    if (parallel < 0 || parallel > MAX_PARALLEL) {
      throw new IllegalArgumentException("parallel must be 1 to " + MAX_PARALLEL + " (0: default): " + parallel);
    }
    Protocol protocol = requested != Protocol.AUTO ? requested : target.protocol();
    ClientSession session = connector.connect(target);
    String where = target.userName().orElse(session.getUsername()) + "@" + target.location();
    try {
      if (protocol != Protocol.SCP) {
        try {
          SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
          return new SftpRemote(session, target.path(), "sftp://" + where, sftp,
              parallel > 0 ? parallel : SftpRemote.DEFAULT_CHANNELS);
        } catch (IOException e) {
          if (protocol == Protocol.SFTP || !session.isOpen()) {
            throw new IOException(where + ": the server offers no SFTP subsystem (" + e.getMessage() + "); try --protocol scp", e);
          }
          log.info("{}: no SFTP subsystem, using the SCP protocol", where);
          // On a new session: MINA forgets the channel of the refused subsystem without closing it
          // on the server, and OpenSSH would count it against the channels of the connection
          // (MaxSessions, 10 by default) for as long as the session lived.
          session.close(true);
          session = connector.connect(target);
        }
      }
      return new ScpRemote(session, target.path(), "scp://" + where, parallel > 0 ? parallel : ScpRemote.DEFAULT_SINKS);
    } catch (IOException | RuntimeException e) {
      session.close(true);
      throw e;
    }
  }
}
