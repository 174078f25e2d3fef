package dev.scpsync.engine;

import dev.scpsync.state.Transfer;
import dev.scpsync.state.TransferJournal;
import dev.scpsync.transport.ChunkJournal;
import dev.scpsync.transport.PartialUpload;
import java.time.Instant;
import java.util.Optional;

/**
 * The transport's {@link ChunkJournal} kept in a target's {@link TransferJournal}, so that a
 * large upload survives the process: the next push of the same source to the same target resumes
 * it.
 */
final class JournalOfTarget implements ChunkJournal {
  private final TransferJournal journal;

  JournalOfTarget(TransferJournal journal) {
    this.journal = journal;
  }

  @Override
  public Optional<PartialUpload> find(String path) {
    return journal.find(path).map(t -> new PartialUpload(t.path(), t.tempName(), t.sourceSize(), t.sourceMtime(),
        t.sha256(), t.chunkSize(), t.chunksConfirmed()));
  }

  @Override
  public void begin(PartialUpload u) {
    journal.begin(new Transfer(u.path(), u.tempName(), u.sourceSize(), u.sourceMtime(), u.prefixSha256(), u.chunkSize(),
        u.chunksConfirmed(), Instant.now()));
  }

  @Override
  public void confirmed(String path, long chunks, String prefixSha256) {
    journal.confirmChunks(path, chunks, prefixSha256);
  }

  @Override
  public void finish(String path) {
    journal.finish(path);
  }
}
