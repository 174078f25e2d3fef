package dev.scpsync.transport;

/**
 * Receives progress of a batch transfer. Called from the transferring threads: several at once
 * when a remote uses several channels.
 */
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

  /**
   * An interrupted upload of a large file is being continued rather than started over: {@code
   * bytes} of it were already on the remote (checked) and are not sent again.
   */
  default void resumed(FileTransfer file, long bytes) {}

  /**
   * An upload read this content and the remote now holds it (checked by SHA-256 where the remote
   * can hash), so the state can record it without reading the file again. Large files come with
   * block hashes, which let the next version go as a delta. Called before {@link #done}.
   */
  default void digested(FileTransfer file, FileDigest digest) {}

  /**
   * A large file went as a delta against the version the remote had: only {@code sent} of its
   * bytes crossed the link. Called before {@link #done}.
   */
  default void delta(FileTransfer file, long sent) {}

  /** A file failed; the batch goes on with the next one. */
  default void failed(FileTransfer file, Exception cause) {}

  TransferListener NONE = new TransferListener() {};
}
