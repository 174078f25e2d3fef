package dev.scpsync.receiver;

import java.io.IOException;
import java.util.List;
import org.apache.sshd.scp.server.ScpCommandFactory;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;

/**
 * Runs {@code scp -t}/{@code scp -f} (the legacy SCP protocol) and refuses every other exec
 * request. Nothing is ever handed to a shell.
 */
final class ScpOnlyCommandFactory implements CommandFactory {
  private final ScpCommandFactory scp;

  private final AuditLog audit;

  ScpOnlyCommandFactory(AuditLog audit) {
    this.audit = audit;
    DirectoryTimesScpFileOpener opener = new DirectoryTimesScpFileOpener();
    scp =
        new ScpCommandFactory.Builder()
            .withFileOpener(opener)
            .addEventListener(opener)
            .addEventListener(audit)
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
    audit.refusedCommand(channel.getSession(), command);
    return new RefusedCommand();
  }
}
