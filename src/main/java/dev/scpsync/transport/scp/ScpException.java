package dev.scpsync.transport.scp;

import java.io.IOException;

/**
 * A failure the SCP peer reported or caused. {@link Kind#REFUSED} is a per-file error (status 1)
 * after which the peer goes on; {@link Kind#FATAL} (status 2) and {@link Kind#PROTOCOL} (a reply
 * that breaks the protocol, or a name or size that was not asked for) end the channel.
 */
final class ScpException extends IOException {
  enum Kind {
    REFUSED,
    FATAL,
    PROTOCOL
  }

  private final Kind kind;

  ScpException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  Kind kind() {
    return kind;
  }

  /** Whether the channel can carry on with the next file after this. */
  boolean channelUsable() {
    return kind == Kind.REFUSED;
  }
}
