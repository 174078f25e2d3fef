package dev.scpsync.testing;

/** The kinds of server every transfer scenario runs against. */
public enum ServerKind {
  OPENSSH_SFTP,
  OPENSSH_SCP_ONLY,
  EMBEDDED_RECEIVER
}
