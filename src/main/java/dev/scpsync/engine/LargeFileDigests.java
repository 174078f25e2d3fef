package dev.scpsync.engine;

import dev.scpsync.state.TargetState;
import dev.scpsync.transport.BlockHashes;
import dev.scpsync.transport.FileDigest;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The digests of large local files that planning read anyway, kept for the upload that follows. A
 * file whose size stayed and whose mtime changed is hashed to tell an edit from a touch; when it
 * is large and the state holds the block digests of the version the target has, it is read with
 * block digests of the same size too (on two threads, about the time of one pass), so that the
 * delta sending its changed blocks need not read it a second time (1 GiB: ~1.5 s).
 *
 * <p>A digest is handed out only for the size and mtime the file had when it was read.
 * Thread-safe.
 */
final class LargeFileDigests {
  private record Read(long size, Instant mtime, FileDigest digest) {}

  /** Keeps nothing: every file is read by its upload. */
  static final LargeFileDigests NONE = new LargeFileDigests(Long.MAX_VALUE, path -> Optional.empty());

  private final long from;
  private final Function<String, Optional<BlockHashes>> bases;
  private final Map<String, Read> read = new ConcurrentHashMap<>();

  /**
   * Keeps the digests of files of at least {@code from} bytes that have a base in {@code bases}
   * (the block digests of what the target holds).
   */
  LargeFileDigests(long from, Function<String, Optional<BlockHashes>> bases) {
    this.from = from;
    this.bases = bases;
  }

  /** For a push with these options to a target with this state (null: none kept). */
  static LargeFileDigests forDeltas(SyncOptions options, TargetState state) {
    if (!options.delta() || state == null) {
      return NONE;
    }
    return new LargeFileDigests(options.chunkSize(), path -> state.blockHashes(path).flatMap(BlockHashes::decode));
  }

  /**
   * The block size to read a file of this size with, so that its digests can be kept for a delta
   * against its base; 0: read the whole-file digest only.
   */
  int blockSize(String path, long size) {
    return size < from ? 0 : bases.apply(path).map(BlockHashes::blockSize).orElse(0);
  }

  void put(String path, long size, Instant mtime, FileDigest digest) {
    read.put(path, new Read(size, mtime, digest));
  }

  /** What {@code path} held when it was read, if it still had this size and mtime then. */
  Optional<FileDigest> get(String path, long size, Instant mtime) {
    Read r = read.get(path);
    return r != null && r.size() == size && r.mtime().equals(mtime) ? Optional.of(r.digest()) : Optional.empty();
  }
}
