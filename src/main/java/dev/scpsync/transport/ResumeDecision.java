package dev.scpsync.transport;

import java.time.Instant;

/**
 * What to do with a large file given what the journal says about an earlier, interrupted upload
 * of it: start fresh, resume, or throw the old part away and start over. Decided from the local
 * source's size and mtime only; the content already on the remote is checked afterwards, by the
 * protocol (see {@link #resume}).
 */
public sealed interface ResumeDecision {
  /** No earlier upload: start with a new temporary name. */
  record Fresh() implements ResumeDecision {}

  /** The earlier upload can go on from its last confirmed chunk, once its part is verified. */
  record Resume(PartialUpload from) implements ResumeDecision {}

  /** There was an earlier upload, but it cannot be continued: remove its part, start afresh. */
  record StartOver(PartialUpload stale, String reason) implements ResumeDecision {}

  /**
   * Decides.
   *
   * @param journaled the journal's row for the path, or null
   */
  static ResumeDecision of(PartialUpload journaled, long size, Instant mtime, long chunkSize) {
    if (journaled == null) {
      return new Fresh();
    }
    if (journaled.sourceSize() != size || !journaled.sourceMtime().equals(mtime)) {
      return new StartOver(journaled, "the source changed since the interrupted upload (was " + journaled.sourceSize()
          + " bytes, mtime " + journaled.sourceMtime() + "; now " + size + " bytes, mtime " + mtime + ")");
    }
    if (journaled.chunkSize() != chunkSize) {
      return new StartOver(journaled, "the chunk size changed since the interrupted upload (" + journaled.chunkSize()
          + " -> " + chunkSize + ")");
    }
    if (journaled.chunksConfirmed() == 0) {
      return new StartOver(journaled, "no chunk of the interrupted upload was confirmed");
    }
    return new Resume(journaled);
  }

  /** Decides for one file from a journal. */
  static ResumeDecision of(ChunkJournal journal, FileTransfer f, long chunkSize) {
    return of(journal.find(f.entry().path()).orElse(null), f.entry().size(), f.entry().mtime(), chunkSize);
  }
}
