package dev.scpsync.transport.ssh;

import java.io.IOException;

/**
 * An SSH session could not be established. The message says which host, which step (connect,
 * host key, authentication) and why, in one line fit for the user.
 */
public final class SshConnectException extends IOException {
  /** The step of session setup that failed. */
  public enum Step {
    RESOLVE,
    CONNECT,
    HOST_KEY,
    KEY_EXCHANGE,
    AUTHENTICATION
  }

  private final Step step;

  public SshConnectException(Step step, String message, Throwable cause) {
    super(message, cause);
    this.step = step;
  }

  public Step step() {
    return step;
  }
}
