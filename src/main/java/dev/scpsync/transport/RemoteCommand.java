package dev.scpsync.transport;

import dev.scpsync.transport.ssh.SshConnector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

/**
 * Runs one command on a target, as {@code ssh host 'command'} would (by the remote user's shell),
 * on a session of its own so that it never competes with the transfers.
 */
public final class RemoteCommand {
  /** At most this much output is kept. */
  private static final int KEEP = 4096;

  /**
   * What a command did.
   *
   * @param exitStatus its exit status, or null when the server sent none (killed, timed out)
   * @param output its stdout and stderr, the last {@value #KEEP} bytes
   */
  public record Result(Integer exitStatus, String output) {
    public boolean ok() {
      return exitStatus != null && exitStatus == 0;
    }
  }

  private RemoteCommand() {}

  /** Runs {@code command} on {@code target}, waiting up to {@code timeout} for it to end. */
  public static Result run(SshConnector connector, TargetSpec target, String command, Duration timeout)
      throws IOException {
    try (ClientSession session = connector.connect(target)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ChannelExec exec = session.createExecChannel(command)) {
        exec.setOut(out);
        exec.setErr(out);
        exec.open().verify(timeout);
        exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
        byte[] all = out.toByteArray();
        int from = Math.max(0, all.length - KEEP);
        return new Result(exec.getExitStatus(), new String(all, from, all.length - from, StandardCharsets.UTF_8).strip());
      }
    }
  }
}
