package dev.scpsync.transport;

/** Receives progress of a batch transfer. Called from the transferring thread. */
public interface TransferListener {
  /** Some bytes of file content moved (for progress display). */
  default void bytes(long count) {}

  /** A file is complete at its final path (upload) or in its local file (download). */
  default void done(FileTransfer file) {}

  /** A file failed; the batch goes on with the next one. */
  default void failed(FileTransfer file, Exception cause) {}

  TransferListener NONE = new TransferListener() {};
}
