package dev.scpsync.transport;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Block digests of a file computed on a virtual thread of their own while the file is being sent,
 * so that the sending thread pays for one SHA-256 pass (the whole-file digest it needs for the
 * journal and the end-to-end check), not two. Pieces are handed over in file order and belong to
 * this object from then on; when the hashing falls behind by {@link #QUEUED} pieces, the sender
 * waits.
 *
 * <p>Not thread-safe on the feeding side: one sender.
 */
public final class BackgroundBlockHashes implements AutoCloseable {
  private static final int QUEUED = 32;
  private static final byte[] END = new byte[0];

  private record Piece(byte[] data, int length) {}

  private final BlockingQueue<Piece> queue = new ArrayBlockingQueue<>(QUEUED);
  private final LocalSha256 blocks;
  private final Thread hasher;

  public BackgroundBlockHashes(int blockSize) {
    this.blocks = LocalSha256.blocksOnly(blockSize);
    this.hasher = Thread.ofVirtual().name("scpsync-block-hashes").start(this::run);
  }

  private void run() {
    try {
      for (Piece p = queue.take(); p.data() != END; p = queue.take()) {
        blocks.update(p.data(), 0, p.length());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Adds the next {@code length} bytes of the file; {@code data} must not be changed afterwards. */
  public void add(byte[] data, int length) throws java.io.InterruptedIOException {
    try {
      queue.put(new Piece(data, length));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while hashing blocks");
    }
  }

  /** Waits for every piece added so far to be hashed and returns the block digests. */
  public BlockHashes finish() throws java.io.InterruptedIOException {
    add(END, 0);
    try {
      hasher.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while hashing blocks");
    }
    return blocks.blocks();
  }

  /** Stops hashing (the upload failed); the digests are not wanted. */
  @Override
  public void close() {
    hasher.interrupt();
  }
}
