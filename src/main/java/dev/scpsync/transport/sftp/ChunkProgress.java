package dev.scpsync.transport.sftp;

import dev.scpsync.transport.ChunkJournal;
import dev.scpsync.transport.Chunking;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongConsumer;

/**
 * Which chunks of a large upload the server has acknowledged, in whatever order the writes come
 * back (several channels answer independently), and the journal row that says how far the
 * upload may resume: the number of chunks confirmed without a gap from the start, with the
 * SHA-256 of that prefix. Thread-safe: the channels' writers report here.
 */
final class ChunkProgress {
  private final String path;
  private final long size;
  private final long chunk;
  private final ChunkJournal journal;
  private final LongConsumer onConfirmed;
  private final long[] ackedBytes;
  private final ConcurrentMap<Long, String> prefixHashes = new ConcurrentHashMap<>();
  private long confirmed;

  /**
   * @param from where this attempt starts (a chunk boundary, or the file's size): what lies
   *     before it is confirmed already
   */
  ChunkProgress(String path, long size, long chunk, long from, ChunkJournal journal) {
    this(path, size, chunk, from, journal, chunks -> {});
  }

  /**
   * @param onConfirmed told the number of chunks confirmed without a gap each time it grows
   *     (under this object's lock: must not block)
   */
  ChunkProgress(String path, long size, long chunk, long from, ChunkJournal journal, LongConsumer onConfirmed) {
    this.path = path;
    this.onConfirmed = onConfirmed;
    this.size = size;
    this.chunk = chunk;
    this.journal = journal;
    this.ackedBytes = new long[(int) Chunking.chunks(size, chunk)];
    this.confirmed = from == size ? ackedBytes.length : from / chunk;
  }

  /**
   * The reader has hashed the file up to the end of chunk {@code chunks - 1}: the digest the
   * journal will keep once those chunks are confirmed. Called before that chunk's last write is
   * sent, so that its acknowledgement finds it.
   */
  void prefixRead(long chunks, String sha256) {
    prefixHashes.put(chunks, sha256);
  }

  /** The server acknowledged {@code length} bytes ending at {@code end}. */
  synchronized void acked(long end, int length) {
    int index = (int) ((end - 1) / chunk);
    ackedBytes[index] += length;
    long before = confirmed;
    while (confirmed < ackedBytes.length && ackedBytes[(int) confirmed] == lengthOf((int) confirmed)) {
      confirmed++;
    }
    for (long c = before + 1; c < confirmed; c++) {
      prefixHashes.remove(c);
    }
    if (confirmed > before) {
      journal.confirmed(path, confirmed, prefixHashes.remove(confirmed));
      onConfirmed.accept(confirmed);
    }
  }

  private long lengthOf(int index) {
    return Math.min(chunk, size - index * chunk);
  }
}
