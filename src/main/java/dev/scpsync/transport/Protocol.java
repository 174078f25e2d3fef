package dev.scpsync.transport;

/** The file-transfer protocol spoken over SSH. */
public enum Protocol {
  /** Prefer SFTP, fall back to SCP when the server has no SFTP subsystem. */
  AUTO,
  SFTP,
  SCP
}
