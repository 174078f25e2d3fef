package dev.scpsync.receiver;

import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;

/**
 * Answers an SFTP request refused by {@link ConfinedFileSystemProvider} with "permission denied"
 * and our message; MINA would otherwise report an unknown exception as a bare "failure".
 */
final class OutsideRootStatus implements SftpErrorStatusDataHandler {

  @Override
  public int resolveSubStatus(
      SftpSubsystemEnvironment sftp, int id, Throwable e, int cmd, Object... args) {
    if (e instanceof OutsideRootException) {
      return SftpConstants.SSH_FX_PERMISSION_DENIED;
    }
    return SftpErrorStatusDataHandler.super.resolveSubStatus(sftp, id, e, cmd, args);
  }

  @Override
  public String resolveErrorMessage(
      SftpSubsystemEnvironment sftp, int id, Throwable e, int subStatus, int cmd, Object... args) {
    if (e instanceof OutsideRootException) {
      return e.getMessage();
    }
    return SftpErrorStatusDataHandler.super.resolveErrorMessage(
        sftp, id, e, subStatus, cmd, args);
  }
}
