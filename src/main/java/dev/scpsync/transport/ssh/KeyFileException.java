package dev.scpsync.transport.ssh;

import java.io.IOException;

/**
 * A private key file the user named cannot be used: missing, unreadable, encrypted with no
 * passphrase at hand, or the passphrase is wrong. The message names the file and is meant for the
 * user as is; MINA wraps it while authenticating, and the connector digs it out again.
 */
final class KeyFileException extends IOException {
  KeyFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
