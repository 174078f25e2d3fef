package dev.scpsync.transport;

import java.util.Optional;

/**
 * Where chunked uploads record their progress, so that an upload cut off by a lost link or a killed
 * process resumes from its last confirmed chunk. The engine backs it with the transfer journal of
 * the sync state; without a state, {@link #NONE} remembers nothing and every upload starts afresh.
 *
 * <p>Contract: implementations are thread-safe (uploads of several files run at once) and each call
 * is durable when it returns, so a confirmation is never lost by a crash after it.
 * {@link #confirmed} is called only after the remote acknowledged every write up to the chunk's
 * end; the journal may lag the remote, never lead it.
 */
public interface ChunkJournal {
  /** The upload in flight to {@code path}, if any. */
  Optional<PartialUpload> find(String path);

  /** Records that an upload began, replacing any earlier one of the same path. */
  void begin(PartialUpload upload);

  /** The remote confirmed the first {@code chunks} chunks, whose content hashes to {@code prefixSha256}. */
  void confirmed(String path, long chunks, String prefixSha256);

  /** Forgets the upload to {@code path}: it completed, or was abandoned. */
  void finish(String path);

  ChunkJournal NONE = new ChunkJournal() {
    @Override
    public Optional<PartialUpload> find(String path) {
      return Optional.empty();
    }

    @Override
    public void begin(PartialUpload upload) {}

    @Override
    public void confirmed(String path, long chunks, String prefixSha256) {}

    @Override
    public void finish(String path) {}
  };
}
