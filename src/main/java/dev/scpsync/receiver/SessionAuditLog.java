package dev.scpsync.receiver;

import java.security.PublicKey;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;

/**
 * Feeds the {@link AuditLog} with sessions: one line when a session is authenticated, one when it
 * closes, one per refused key: user, remote address and the SHA256 fingerprint of the key. Key
 * material is never logged.
 */
final class SessionAuditLog implements SessionListener {
  // MINA does not keep which key authenticated a session, so the authenticator notes it here.
  private static final AttributeKey<String> KEY_FINGERPRINT = new AttributeKey<>();

  private final AuditLog audit;

  SessionAuditLog(AuditLog audit) {
    this.audit = audit;
  }

  /** Wraps {@code delegate} so that the key it accepts is remembered and a refused one logged. */
  PublickeyAuthenticator recordingKey(PublickeyAuthenticator delegate) {
    return (username, key, session) -> {
      boolean accepted = delegate.authenticate(username, key, session);
      if (accepted) {
        session.setAttribute(KEY_FINGERPRINT, fingerprint(key));
      } else {
        audit.refused(session, username, fingerprint(key));
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
      audit.session("opened", session, session.getAttribute(KEY_FINGERPRINT));
    }
  }

  @Override
  public void sessionClosed(Session session) {
    audit.session("closed", session, session.getAttribute(KEY_FINGERPRINT));
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
