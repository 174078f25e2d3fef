package dev.scpsync.receiver;

import java.security.PublicKey;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one line when a session is authenticated and one when it closes: user, remote address and
 * the SHA256 fingerprint of the key it logged in with. Key material is never logged.
 */
final class SessionAuditLog implements SessionListener {
  private static final Logger LOG = LoggerFactory.getLogger(SessionAuditLog.class);

  // MINA does not keep which key authenticated a session, so the authenticator notes it here.
  private static final AttributeKey<String> KEY_FINGERPRINT = new AttributeKey<>();

  /** Wraps {@code delegate} so that the key it accepts is remembered for the log lines. */
  static PublickeyAuthenticator recordingKey(PublickeyAuthenticator delegate) {
    return (username, key, session) -> {
      boolean accepted = delegate.authenticate(username, key, session);
      if (accepted) {
        session.setAttribute(KEY_FINGERPRINT, fingerprint(key));
      }
      return accepted;
    };
  }

  static String fingerprint(PublicKey key) {
    return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
  }

  @Override
  public void sessionEvent(Session session, Event event) {
    if (event == Event.Authenticated) {
      LOG.info(
          "session opened: user={} remote={} key={}",
          printable(session.getUsername()),
          session.getRemoteAddress(),
          session.getAttribute(KEY_FINGERPRINT));
    }
  }

  @Override
  public void sessionClosed(Session session) {
    if (session.isAuthenticated()) {
      LOG.info(
          "session closed: user={} remote={} key={}",
          printable(session.getUsername()),
          session.getRemoteAddress(),
          session.getAttribute(KEY_FINGERPRINT));
    } else {
      LOG.info("session closed before authentication: remote={}", session.getRemoteAddress());
    }
  }

  /** The user name is whatever the client sent: keep it from forging log lines. */
  static String printable(String clientText) {
    if (clientText == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(Math.min(clientText.length(), 200));
    clientText
        .codePoints()
        .limit(200)
        .forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return out.toString();
  }
}
