package dev.scpsync.receiver;

import java.io.IOException;
import java.util.List;
import org.apache.sshd.scp.server.ScpCommandFactory;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code scp -t}/{@code scp -f} (the legacy SCP protocol) and refuses every other exec
 * request. Nothing is ever handed to a shell.
 */
final class ScpOnlyCommandFactory implements CommandFactory {
  private static final Logger LOG = LoggerFactory.getLogger(ScpOnlyCommandFactory.class);

  private final ScpCommandFactory scp;

  ScpOnlyCommandFactory() {
    DirectoryTimesScpFileOpener opener = new DirectoryTimesScpFileOpener();
    scp =
        new ScpCommandFactory.Builder()
            .withFileOpener(opener)
            .addEventListener(opener)
            .build();
  }

  @Override
  public Command createCommand(ChannelSession channel, String command) throws IOException {
    // MINA's ScpCommandFactory takes anything that merely starts with "scp" ("scpfoo ..."), and
    // without a delegate answers other commands with an exception instead of an exit status.
    List<String> words = CommandFactory.split(command);
    if (!words.isEmpty() && words.get(0).equals("scp")) {
      return scp.createCommand(channel, command);
    }
    LOG.info(
        "refused exec request from user={}: {}",
        SessionAuditLog.printable(channel.getSession().getUsername()),
        SessionAuditLog.printable(command));
    return new RefusedCommand();
  }
}
