package dev.scpsync.transport;

/** Receives progress of a batch transfer. Called from the transferring thread. */
public interface TransferListener {
  /** Some bytes of file content moved (for progress display). */
  default void bytes(long count) {}

  /** A file is complete at its final path (upload) or in its local file (download). */
  default void done(FileTransfer file) {}

  /**
   * A large file arrived complete but its content could not be checked end to end, because the
   * remote cannot compute SHA-256 (no exec, no hashing tool): only its size (and mtime) are known
   * to match. Called before {@link #done}.
   */
  default void unverified(FileTransfer file) {}

  /** A file failed; the batch goes on with the next one. */
  default void failed(FileTransfer file, Exception cause) {}

  TransferListener NONE = new TransferListener() {};
}
