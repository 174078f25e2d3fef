package dev.scpsync.transport;

/**
 * How large files are uploaded: files of at least {@code chunkSize} bytes go in chunks of that
 * size, each recorded in {@code journal} once the remote confirmed it, and are verified end to end
 * with SHA-256 where the remote can hash. A large file the remote already holds an older version
 * of (per {@code bases}) is sent as the blocks that changed, where the remote can copy the old
 * version.
 */
public record Chunking(long chunkSize, ChunkJournal journal, DeltaBases bases) {
  /** The default chunk size and large-file threshold: 8 MiB. */
  public static final long DEFAULT_CHUNK_SIZE = 8L << 20;
  /** Smaller chunks would cost a journal write per few SFTP requests. */
  public static final long MIN_CHUNK_SIZE = 64L << 10;

  public Chunking {
    if (chunkSize < MIN_CHUNK_SIZE) {
      throw new IllegalArgumentException("chunk size below " + MIN_CHUNK_SIZE + ": " + chunkSize);
    }
    java.util.Objects.requireNonNull(journal, "journal");
    java.util.Objects.requireNonNull(bases, "bases");
  }

  /** Chunks recorded in a journal, every file sent whole. */
  public Chunking(long chunkSize, ChunkJournal journal) {
    this(chunkSize, journal, DeltaBases.NONE);
  }

  /** Default chunks, no journal: large files are chunked and verified but cannot resume. */
  public static Chunking defaults() {
    return new Chunking(DEFAULT_CHUNK_SIZE, ChunkJournal.NONE);
  }

  /** Whether a file of this size goes in chunks. */
  public boolean chunked(long size) {
    return size >= chunkSize;
  }

  /** How many chunks a file of {@code size} bytes has. */
  public static long chunks(long size, long chunkSize) {
    return size == 0 ? 0 : (size - 1) / chunkSize + 1;
  }
}
