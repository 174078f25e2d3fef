package dev.scpsync.transport.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;

/**
 * Hands MINA's client a connection to the user's running ssh-agent over its Unix domain socket,
 * without the tomcat-apr native library MINA's own {@code UnixAgentFactory} needs.
 *
 * <p>Client use only: install it with {@code SshClient#setAgentFactory} so that public-key
 * authentication offers the agent's keys. Agent forwarding to the remote side is not supported:
 * {@link #getChannelForwardingFactories} is empty and {@link #createServer} throws.
 */
public final class UnixSocketAgentFactory implements SshAgentFactory {
  private final Path socketPath;

  /** A factory for the agent listening on {@code socketPath}; the socket is not checked here. */
  public UnixSocketAgentFactory(Path socketPath) {
    this.socketPath = Objects.requireNonNull(socketPath, "socketPath");
  }

  /**
   * The agent named by the {@code SSH_AUTH_SOCK} environment variable, if that variable is set and
   * names an existing socket. Empty otherwise, so that callers fall back to key files rather than
   * fail on a stale variable left behind by a dead agent.
   */
  public static Optional<UnixSocketAgentFactory> fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  static Optional<UnixSocketAgentFactory> fromEnvironment(Map<String, String> env) {
    String value = env.get(SshAgent.SSH_AUTHSOCKET_ENV_NAME);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    Path path;
    try {
      path = Path.of(value);
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
    return isSocket(path) ? Optional.of(new UnixSocketAgentFactory(path)) : Optional.empty();
  }

  /** The socket this factory's agents connect to. */
  public Path socketPath() {
    return socketPath;
  }

  /** Empty: scpsync never forwards the agent to the remote side. */
  @Override
  public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
    return List.of();
  }

  /** A new agent client; it connects on first use, so an absent agent surfaces there. */
  @Override
  public SshAgent createClient(Session session, FactoryManager manager) {
    return new UnixSocketAgent(socketPath);
  }

  /** Always throws: serving an agent to the remote side is agent forwarding, which we refuse. */
  @Override
  public SshAgentServer createServer(ConnectionService service) {
    throw new UnsupportedOperationException("scpsync does not forward ssh-agent");
  }

  @Override
  public String toString() {
    return "UnixSocketAgentFactory[" + socketPath + "]";
  }

  // The JDK cannot tell a socket from a FIFO or device portably; "neither file nor directory"
  // (after following links, as ssh does) rules out the stale-variable cases that matter.
  private static boolean isSocket(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class).isOther();
    } catch (IOException e) {
      return false;
    }
  }
}
