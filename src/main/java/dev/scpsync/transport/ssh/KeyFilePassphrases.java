package dev.scpsync.transport.ssh;

import java.io.Console;
import java.io.IOException;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.session.SessionContext;

/**
 * Passphrases for encrypted private keys: {@code SCPSYNC_KEY_PASSPHRASE}, else a prompt when a
 * terminal is attached. One attempt per key; the passphrase is never logged.
 */
final class KeyFilePassphrases implements FilePasswordProvider {
  static final String ENV = "SCPSYNC_KEY_PASSPHRASE";

  @Override
  public String getPassword(SessionContext session, NamedResource resourceKey, int retryIndex) throws IOException {
    if (retryIndex > 0) {
      throw new IOException("wrong passphrase for key " + resourceKey.getName());
    }
    String fromEnv = System.getenv(ENV);
    if (fromEnv != null) {
      return fromEnv;
    }
    Console console = System.console();
    if (console != null) {
      char[] typed = console.readPassword("Enter passphrase for key '%s': ", resourceKey.getName());
      if (typed != null) {
        return new String(typed);
      }
    }
    throw new IOException("key " + resourceKey.getName() + " is encrypted; set " + ENV + " or run on a terminal to be asked");
  }

  @Override
  public ResourceDecodeResult handleDecodeAttemptResult(
      SessionContext session, NamedResource resourceKey, int retryIndex, String password, Exception err) {
    return err == null ? null : ResourceDecodeResult.TERMINATE;
  }
}
