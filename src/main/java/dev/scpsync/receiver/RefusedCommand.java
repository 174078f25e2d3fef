package dev.scpsync.receiver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/** What an exec request other than {@code scp} gets: a message on stderr and a failing status. */
final class RefusedCommand implements Command {
  /**
   * The status a shell gives for a command it cannot find, so a client probing for a tool (a
   * hasher, {@code mv}) reads this the same way as "not installed" and falls back.
   */
  static final int EXIT_STATUS = 127;

  static final String MESSAGE =
      "scpsync receiver: only SFTP and scp are available here; other commands are refused\n";

  private OutputStream err;
  private ExitCallback exit;

  @Override
  public void setInputStream(InputStream in) {}

  @Override
  public void setOutputStream(OutputStream out) {}

  @Override
  public void setErrorStream(OutputStream err) {
    this.err = err;
  }

  @Override
  public void setExitCallback(ExitCallback exit) {
    this.exit = exit;
  }

  @Override
  public void start(ChannelSession channel, Environment env) throws IOException {
    err.write(MESSAGE.getBytes(StandardCharsets.UTF_8));
    err.flush();
    exit.onExit(EXIT_STATUS, MESSAGE.strip());
  }

  @Override
  public void destroy(ChannelSession channel) {}
}
