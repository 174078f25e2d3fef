package dev.scpsync.transport.ssh;

import java.util.Map;
import org.apache.sshd.client.SshClient;
import org.slf4j.LoggerFactory;

/** Wires the ssh-agent at {@code SSH_AUTH_SOCK}, when there is one, into a client. */
final class AgentSupport {
  private AgentSupport() {}

  /** Installs the agent named by {@code env}'s {@code SSH_AUTH_SOCK}; whether there was one. */
  static boolean configure(SshClient client, Map<String, String> env) {
    return UnixSocketAgentFactory.fromEnvironment(env).map(factory -> {
      client.setAgentFactory(factory);
      LoggerFactory.getLogger(AgentSupport.class).debug("using the ssh-agent at {}", factory.socketPath());
      return true;
    }).orElse(false);
  }
}
