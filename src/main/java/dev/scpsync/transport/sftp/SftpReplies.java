package dev.scpsync.transport.sftp;

import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/** Reading raw SFTP v3 replies, for the requests this package pipelines by hand. */
final class SftpReplies {
  private SftpReplies() {}

  /** Reads length, type and id; leaves the buffer at the type-specific payload. */
  static int typeOf(Buffer reply) {
    reply.rpos(0);
    reply.getInt();
    int type = reply.getUByte();
    reply.getInt();
    return type;
  }

  /** The error a non-OK reply stands for, or null for an OK status. */
  static SftpException error(Buffer reply, String context) {
    int type = typeOf(reply);
    if (type != SftpConstants.SSH_FXP_STATUS) {
      return new SftpException(SftpConstants.SSH_FX_BAD_MESSAGE, context + ": unexpected reply type " + type);
    }
    int code = reply.getInt();
    return code == SftpConstants.SSH_FX_OK ? null : new SftpException(code, context + ": " + reply.getString());
  }
}
