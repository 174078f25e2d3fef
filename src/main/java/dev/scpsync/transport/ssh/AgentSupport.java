package dev.scpsync.transport.ssh;

import org.apache.sshd.client.SshClient;
import org.slf4j.LoggerFactory;

/** Wires the ssh-agent at {@code SSH_AUTH_SOCK}, when there is one, into a client. */
final class AgentSupport {
  private AgentSupport() {}

  static void configure(SshClient client) {
    UnixSocketAgentFactory.fromEnvironment().ifPresent(factory -> {
      client.setAgentFactory(factory);
      LoggerFactory.getLogger(AgentSupport.class).debug("using the ssh-agent at SSH_AUTH_SOCK");
    });
  }
}
