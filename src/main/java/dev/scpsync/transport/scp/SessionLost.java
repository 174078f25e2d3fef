package dev.scpsync.transport.scp;

import java.io.IOException;
import org.apache.sshd.client.session.ClientSession;

/**
 * The session under a remote is gone: the batch cannot go on, unlike a single channel that broke
 * and is replaced. A type of its own so that it is recognised, and never wrapped twice, on its way
 * up through the layers.
 */
final class SessionLost extends IOException {
  private SessionLost(String where, IOException cause) {
    super("SSH session to " + where + " lost: " + cause.getMessage(), cause);
  }

  static boolean alive(ClientSession session) {
    return session.isOpen() && !session.isClosing();
  }

  /** {@code failure} as it is when the session is still up, else as a SessionLost. */
  static IOException check(ClientSession session, String where, IOException failure) {
    if (failure instanceof SessionLost || alive(session)) {
      return failure;
    }
    return new SessionLost(where, failure);
  }
}
