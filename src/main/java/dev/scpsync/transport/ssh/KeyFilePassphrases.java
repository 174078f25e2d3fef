package dev.scpsync.transport.ssh;

import java.io.Console;
import java.io.IOException;
import java.util.Map;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.session.SessionContext;

/**
 * Passphrases for encrypted private keys: {@code SCPSYNC_KEY_PASSPHRASE}, else a prompt when a
 * terminal is attached. One attempt per key; the passphrase is never logged.
 */
final class KeyFilePassphrases implements FilePasswordProvider {
  static final String ENV = "SCPSYNC_KEY_PASSPHRASE";

  private final Map<String, String> env;

  /** @param env the process environment, or a stand-in for it */
  KeyFilePassphrases(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String getPassword(SessionContext session, NamedResource resourceKey, int retryIndex) throws IOException {
    if (retryIndex > 0) {
      throw new KeyFileException("wrong passphrase for key " + resourceKey.getName(), null);
    }
    String fromEnv = env.get(ENV);
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
    throw new KeyFileException("key " + resourceKey.getName() + " is encrypted; set " + ENV + " or run on a terminal to be asked", null);
  }

  /**
   * Turns a failed decryption into "wrong passphrase" naming the key: MINA's own message ("Mismatched
   * private key check values") does not tell the user what to do.
   */
  @Override
  public ResourceDecodeResult handleDecodeAttemptResult(
      SessionContext session, NamedResource resourceKey, int retryIndex, String password, Exception err)
      throws KeyFileException {
    if (err == null) {
      return null;
    }
    if (password == null) {
      return ResourceDecodeResult.TERMINATE;
    }
    String source = env.get(ENV) != null ? " (from " + ENV + ")" : "";
    throw new KeyFileException("wrong passphrase for key " + resourceKey.getName() + source, err);
  }
}
