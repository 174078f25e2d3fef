package dev.scpsync.engine;

import dev.scpsync.state.Confirmed;
import dev.scpsync.state.TargetState;
import dev.scpsync.transport.BlockHashes;
import dev.scpsync.transport.FileDigest;
import dev.scpsync.tree.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes what a target confirmed into its {@link TargetState}, off the transfer threads: confirmed
 * files are hashed (SHA-256, for renames and "only the mtime changed" later) and written in
 * batches of up to 1,000 per transaction.
 *
 * <p>A file's hash is recorded only if the local file still has the size and mtime it was sent
 * with, before and after hashing; otherwise the row is written without a hash, so a hash never
 * describes content other than what was sent. A file whose upload reported a {@link FileDigest}
 * (large files) is recorded with that digest and its block hashes instead, unread. Order is kept:
 * removals and renames are queued behind earlier confirmations.
 */
final class TargetStateRecorder implements StateRecorder, AutoCloseable {
  private static final int BATCH = 1000;
  /** Held confirmations are written when no new one came for this long. */
  private static final Duration IDLE_FLUSH = Duration.ofMillis(50);
  /** How long the writer sleeps between looks at the queue while confirmations are held. */
  private static final Duration GATHER = Duration.ofMillis(2);
  /**
   * Larger files are recorded without a hash: re-reading them after the transfer would cost more
   * than it saves (they are still found as renames by file key).
   */
  private static final long HASH_LIMIT = 64L * 1024 * 1024;

  private sealed interface Op permits Put, PutDigested, Remove, Move, Stop {}

  private record Put(List<Entry> entries) implements Op {}

  private record PutDigested(Entry file, FileDigest digest) implements Op {}

  private record Remove(List<String> paths) implements Op {}

  private record Move(String from, String to) implements Op {}

  private record Stop() implements Op {}

  private final TargetState state;
  private final Path localRoot;
  private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile RuntimeException failure;

  TargetStateRecorder(TargetState state, Path localRoot) {
    this.state = state;
    this.localRoot = localRoot;
    this.writer = Thread.ofVirtual().name("scpsync-state-writer").start(this::drain);
  }

  @Override
  public void confirmed(List<Entry> entries) {
    if (!entries.isEmpty()) {
      queue.add(new Put(List.copyOf(entries)));
    }
  }

  @Override
  public void confirmed(Entry file, FileDigest digest) {
    queue.add(new PutDigested(file, digest));
  }

  @Override
  public void removed(List<String> paths) {
    if (!paths.isEmpty()) {
      queue.add(new Remove(List.copyOf(paths)));
    }
  }

  @Override
  public void renamed(String from, String to) {
    queue.add(new Move(from, to));
  }

  private void drain() {
    List<Confirmed> batch = new ArrayList<>();
    List<Op> ops = new ArrayList<>();
    try {
      while (true) {
        if (queue.drainTo(ops) == 0) {
          Op op = batch.isEmpty() ? queue.take() : gather();
          if (op == null) {
            flush(batch); // nothing new for IDLE_FLUSH: write what is held
            continue;
          }
          ops.add(op);
          queue.drainTo(ops);
        }
        for (Op op : ops) {
          if (op instanceof Put put) {
            for (Entry e : put.entries()) {
              batch.add(confirmedOf(e));
            }
          } else if (op instanceof PutDigested p) {
            Entry e = p.file();
            BlockHashes blocks = p.digest().blocks();
            batch.add(new Confirmed(e, p.digest().sha256(), LocalFacts.fileKey(localRoot.resolve(e.path())),
                blocks == null ? null : blocks.encode()));
          } else {
            flush(batch); // an op that must come after earlier puts
            if (op instanceof Remove r) {
              state.recordDeleted(r.paths());
            } else if (op instanceof Move m) {
              state.recordRenamed(m.from(), m.to());
            } else if (op instanceof Stop) {
              return;
            }
          }
          if (batch.size() >= BATCH) {
            flush(batch);
          }
        }
        ops.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /**
   * The next op while confirmations are held, or null after {@link #IDLE_FLUSH} without one. Sleeps
   * in short slices instead of waiting on the queue: a burst confirms a file every few hundred
   * microseconds, and waiting on the queue would wake this thread for each of them (a timed park,
   * an unpark, a context switch) only to append one row.
   */
  private Op gather() {
    long deadline = System.nanoTime() + IDLE_FLUSH.toNanos();
    while (true) {
      Op op = queue.poll();
      if (op != null || System.nanoTime() - deadline >= 0) {
        return op;
      }
      LockSupport.parkNanos(GATHER.toNanos()); // close() unparks at once
    }
  }

  private void flush(List<Confirmed> batch) {
    if (!batch.isEmpty()) {
      state.record(batch);
      batch.clear();
    }
  }

  private Confirmed confirmedOf(Entry e) {
    Path local = localRoot.resolve(e.path());
    String fileKey = LocalFacts.fileKey(local);
    if (!e.isFile() || e.size() > HASH_LIMIT) {
      return new Confirmed(e, null, fileKey);
    }
    try {
      if (!unchanged(local, e)) {
        return new Confirmed(e, null, fileKey);
      }
      String hash = LocalFacts.sha256(local);
      return new Confirmed(e, unchanged(local, e) ? hash : null, fileKey);
    } catch (IOException x) {
      return new Confirmed(e, null, fileKey);
    }
  }

  private static boolean unchanged(Path local, Entry e) throws IOException {
    BasicFileAttributes a = Files.readAttributes(local, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return a.size() == e.size() && a.lastModifiedTime().toInstant().equals(e.mtime());
  }

  /** Writes everything queued and stops. */
  @Override
  public void close() {
    queue.add(new Stop());
    LockSupport.unpark(writer);
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
