package dev.scpsync.transport.sftp;

import dev.scpsync.transport.BackgroundBlockHashes;
import dev.scpsync.transport.BlockHashes;
import dev.scpsync.transport.ChunkJournal;
import dev.scpsync.transport.Chunking;
import dev.scpsync.transport.ContentMismatch;
import dev.scpsync.transport.DeltaBases;
import dev.scpsync.transport.FileDigest;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.LocalSha256;
import dev.scpsync.transport.PartialUpload;
import dev.scpsync.transport.RemoteHashes;
import dev.scpsync.transport.ResumeDecision;
import dev.scpsync.transport.RunningRemoteHash;
import dev.scpsync.transport.TempNames;
import dev.scpsync.transport.TransferListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.RawSftpClient;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One large file over SFTP, in chunks written at their offsets into one temporary file, resumable
 * from the last chunk the server confirmed, and checked end to end before the rename.
 *
 * <p>Writes are pipelined by hand (about {@link #WINDOW_BYTES} in flight) rather than through MINA's async
 * stream, because a chunk counts as confirmed only when the server acknowledged every write up to
 * its end, and the stream does not say when that is. What a cut link costs is therefore bounded:
 * the unconfirmed rest of one chunk plus the window.
 *
 * <p>Before resuming, the part already on the server is checked: its SHA-256 (computed there with
 * {@code head -c N | sha256sum}) must equal that of the same local prefix; without exec, the size
 * must cover the confirmed chunks and the last of them is sent again. A part that fails either
 * check is removed and the upload starts over. After the last write, the server's SHA-256 of the
 * temporary file must equal the one computed while reading, else the file is sent once more from
 * zero; where the server cannot hash, the file is reported unverified.
 */
final class ChunkedSftpUpload {
  private static final Logger log = LoggerFactory.getLogger(ChunkedSftpUpload.class);
  /**
   * Bytes of writes in flight for one file (16 writes of OpenSSH's 255 KiB; more, smaller ones on
   * servers with a lower write limit): keeps a fast link busy, and bounds what a cut costs.
   */
  static final int WINDOW_BYTES = 16 * 255 * 1024;

  /**
   * Below this round trip (measured by the temporary file's open) one channel is not held back by
   * its window (2 MiB per round trip at OpenSSH: 100 MiB/s at 20 ms), and more lanes would only
   * compete for the CPU that encrypts them; above it a large file's chunks go over several.
   */
  static final long LANE_RTT_NANOS = 20_000_000L;

  /** How long the server may take to hash the last chunks after the last write. */
  private static final java.time.Duration HASH_TIMEOUT = java.time.Duration.ofMinutes(10);

  /** Requests beyond the open that confirm a long round trip before a file takes several lanes. */
  private static final int RTT_SAMPLES = 2;

  /** Puts a finished temporary file over its final path. */
  interface Placement {
    void renameOver(String from, String to) throws IOException;
  }

  /** The session's SFTP channels of our own ({@link SftpPipe}) that a file's lanes write over. */
  interface Pipes {
    /**
     * Up to {@code wanted} channels, fewer (or none) when the target's budget or the server says so.
     *
     * @throws IOException when the session is lost
     */
    List<SftpPipe> take(int wanted) throws IOException;

    /** Returns channels {@link #take} gave; after a failure they are closed (their state is unknown). */
    void giveBack(List<SftpPipe> pipes, boolean healthy);
  }

  /** How an attempt ended. */
  enum Verdict { VERIFIED, UNVERIFIED, MISMATCH }

  /**
   * Where an attempt starts: an open handle, the offset, the digest of what lies before it, and
   * for a fresh start the block hashing done beside the send (a resumed one keeps its blocks in
   * {@code digest}, which has read the prefix).
   */
  private record Start(String temp, CloseableHandle handle, long offset, LocalSha256 digest, BackgroundBlockHashes blocks,
      long openNanos) {}

  private final SftpClient sftp;
  private final ClientSession session;
  private final UnaryOperator<String> remote;
  private final int writeSize;
  private final OpenSSHFsyncExtension fsync;
  private final Placement placement;
  private final long chunk;
  private final ChunkJournal journal;
  private final DeltaBases bases;
  private final int maxLanes;
  private final Pipes pipes;

  /**
   * @param maxLanes most channels one file's chunks go over at once
   * @param pipes where the channels the writes go over come from; {@code sftp} carries them when
   *     there are none
   */
  ChunkedSftpUpload(SftpClient sftp, ClientSession session, UnaryOperator<String> remote, int writeSize,
      OpenSSHFsyncExtension fsync, Placement placement, Chunking chunking, int maxLanes, Pipes pipes) {
    this.sftp = sftp;
    this.session = session;
    this.remote = remote;
    this.writeSize = writeSize;
    this.fsync = fsync;
    this.placement = placement;
    this.chunk = chunking.chunkSize();
    this.journal = chunking.journal();
    this.bases = chunking.bases();
    this.maxLanes = maxLanes;
    this.pipes = pipes;
  }

  /**
   * Uploads one file and puts it in place.
   *
   * @return whether the remote's SHA-256 confirmed it ({@code false}: the server cannot hash)
   * @throws ContentMismatch when two transfers in a row arrived different from the source
   * @throws SftpException when the server refused a step for this file
   * @throws NoSuchFileException when the local file vanished or changed while being sent
   * @throws IOException when the session was lost; the part and its journal row stay for a resume
   */
  boolean upload(FileTransfer f, TransferListener listener) throws IOException {
    Verdict v = null;
    Optional<DeltaBases.Base> base = bases.find(f.entry().path());
    if (base.isPresent() && journal.find(f.entry().path()).isEmpty()) {
      v = new SftpDeltaUpload(sftp, session, remote, writeSize, fsync, placement).upload(f, base.get(), listener);
    }
    if (v == null) {
      v = attempt(f, listener, true);
    }
    if (v == Verdict.MISMATCH) {
      log.error("{}: SHA-256 on the remote differs from what was sent; sending it again from the start", f.entry().path());
      v = attempt(f, listener, false);
    }
    if (v == Verdict.MISMATCH) {
      log.error("{}: SHA-256 mismatch again; giving up on this file", f.entry().path());
      throw new ContentMismatch(f.entry().path());
    }
    return v == Verdict.VERIFIED;
  }

  private Verdict attempt(FileTransfer f, TransferListener listener, boolean mayResume) throws IOException {
    long size = f.entry().size();
    try (FileChannel local = FileChannel.open(f.local(), StandardOpenOption.READ)) {
      if (local.size() != size) {
        throw changed(f, "now " + local.size() + " bytes, " + size + " when scanned");
      }
      Start start = mayResume ? resume(f, local) : null;
      if (start == null) {
        start = fresh(f);
      } else {
        listener.resumed(f, start.offset());
      }
      try {
        return sendAndPlace(f, local, start, listener);
      } finally {
        if (start.blocks() != null) {
          start.blocks().close(); // a no-op once finished; stops the hasher after a failure
        }
      }
    }
  }

  private Verdict sendAndPlace(FileTransfer f, FileChannel local, Start start, TransferListener listener) throws IOException {
    long size = f.entry().size();
    LocalSha256 digest;
    long t0 = System.nanoTime();
    long confirmedAtStart = start.offset() == size ? Chunking.chunks(size, chunk) : start.offset() / chunk;
    try (RunningRemoteHash running = RunningRemoteHash.start(session, start.temp(), chunk, confirmedAtStart)) {
      try {
        digest = send(f, local, start, listener, running::confirmed);
        log.debug("{}: {} bytes sent in {} ms", f.entry().path(), size - start.offset(), (System.nanoTime() - t0) / 1_000_000);
        sftp.setStat(start.handle(), SftpRemote.attributesOf(f.entry()).size(size));
        if (fsync != null) {
          fsync.fsync(start.handle());
        }
      } catch (IOException | RuntimeException e) {
        closeQuietly(start.handle());
        throw e;
      }
      start.handle().close();
      long t1 = System.nanoTime();
      String localHex = digest.hex();
      Verdict v = verifyAndPlace(f, start.temp(), localHex, running.finish(HASH_TIMEOUT));
      log.debug("{}: {} after the server's SHA-256 ({} ms)", f.entry().path(), v, (System.nanoTime() - t1) / 1_000_000);
      if (v != Verdict.MISMATCH) {
        BlockHashes blocks = start.blocks() != null ? start.blocks().finish() : digest.blocks();
        listener.digested(f, new FileDigest(localHex, blocks));
      }
      return v;
    }
  }

  /** Where an interrupted upload of this file can go on, or null to start afresh. */
  private Start resume(FileTransfer f, FileChannel local) throws IOException {
    String path = f.entry().path();
    switch (ResumeDecision.of(journal, f, chunk)) {
      case ResumeDecision.Fresh fresh -> {
        return null;
      }
      case ResumeDecision.StartOver over -> {
        log.warn("{}: starting over: {}", path, over.reason());
        abandon(over.stale());
        return null;
      }
      case ResumeDecision.Resume r -> {
        return resumeFrom(r.from(), local);
      }
    }
  }

  private Start resumeFrom(PartialUpload part, FileChannel local) throws IOException {
    String path = part.path();
    String temp = remote.apply(part.tempPath());
    long confirmed = part.confirmedBytes();
    Attributes there = SftpLister.lstatOrNull(sftp, temp);
    if (there == null || !there.isRegularFile() || there.getSize() < confirmed) {
      log.warn("{}: starting over: the interrupted upload's part {} is {}", path, part.tempName(),
          there == null ? "gone" : "shorter than its " + confirmed + " confirmed bytes");
      abandon(part);
      return null;
    }
    int blockSize = BlockHashes.blockSizeFor(part.sourceSize());
    LocalSha256 prefix = LocalSha256.ofPrefix(local, confirmed, blockSize);
    if (part.prefixSha256() != null && !part.prefixSha256().equals(prefix.hex())) {
      log.warn("{}: starting over: the source's first {} bytes changed since the interrupted upload", path, confirmed);
      abandon(part);
      return null;
    }
    long offset;
    Optional<String> remotePrefix = hashOnServer(temp, confirmed);
    if (remotePrefix.isPresent()) {
      if (!remotePrefix.get().equals(prefix.hex())) {
        log.warn("{}: starting over: the part on the remote is not what was sent (SHA-256 of its first {} bytes differs)",
            path, confirmed);
        abandon(part);
        return null;
      }
      offset = confirmed;
    } else {
      // The server cannot hash: its size covers the confirmed chunks; send the last one again
      // rather than trust a tail that a crash may have torn.
      offset = Math.max(0, (part.chunksConfirmed() - 1) * chunk);
      prefix = LocalSha256.ofPrefix(local, offset, blockSize);
    }
    long t0 = System.nanoTime();
    CloseableHandle handle = sftp.open(temp, EnumSet.of(OpenMode.Write));
    long openNanos = System.nanoTime() - t0;
    log.info("{}: resuming at byte {} of {} (chunk {} of {}; part {})", path, offset, part.sourceSize(),
        offset / chunk, Chunking.chunks(part.sourceSize(), chunk), remotePrefix.isPresent() ? "verified by SHA-256" : "checked by size");
    return new Start(temp, handle, offset, prefix, null, openNanos);
  }

  private Start fresh(FileTransfer f) throws IOException {
    String tempPath = TempNames.beside(f.entry().path());
    String temp = remote.apply(tempPath);
    long t0 = System.nanoTime();
    CloseableHandle handle = sftp.open(temp, EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Exclusive));
    long openNanos = System.nanoTime() - t0;
    journal.begin(new PartialUpload(f.entry().path(), tempPath.substring(tempPath.lastIndexOf('/') + 1),
        f.entry().size(), f.entry().mtime(), null, chunk, 0));
    return new Start(temp, handle, 0, LocalSha256.start(), new BackgroundBlockHashes(BlockHashes.blockSizeFor(f.entry().size())),
        openNanos);
  }

  /**
   * Sends the file from the start's offset with up to {@link #WINDOW_BYTES} in flight per lane,
   * confirming each chunk to the journal once every write up to its end is acknowledged. Over a
   * long link ({@link #LANE_RTT_NANOS}) the chunks go over up to {@code maxLanes} channels.
   *
   * @return the digest of the whole file as read
   */
  private LocalSha256 send(FileTransfer f, FileChannel local, Start start, TransferListener listener, LongConsumer onConfirmed)
      throws IOException {
    String path = f.entry().path();
    long size = f.entry().size();
    LocalSha256 digest = start.digest();
    ChunkProgress progress = new ChunkProgress(path, size, chunk, start.offset(), journal, onConfirmed);
    long roundTrip = roundTrip(start);
    int wanted = lanesFor(size - start.offset(), roundTrip);
    List<SftpPipe> taken = pipes.take(wanted);
    boolean healthy = false;
    try {
      List<LaneSender.Lane> lanes = new ArrayList<>();
      for (SftpPipe pipe : taken) {
        try {
          lanes.add(new LaneSender.Lane(pipe, pipe.openForWrite(start.temp())));
        } catch (SftpException e) {
          log.debug("{}: a lane could not open the temporary file ({}); going without it", path, e.getMessage());
        }
      }
      if (lanes.size() < wanted) {
        // Short of channels of our own: the session's own carries a lane, through MINA's client.
        lanes.add(new LaneSender.Lane(SftpRequests.of((RawSftpClient) sftp), start.handle().getIdentifier()));
      }
      if (lanes.size() > 1) {
        log.info("{}: over {} channels at once (round trip {} ms)", path, lanes.size(), roundTrip / 1_000_000);
      }
      try (LaneSender sender = new LaneSender(lanes, Math.max(4, WINDOW_BYTES / writeSize), progress,
          (end, length) -> listener.bytes(length))) {
        long position = start.offset();
        while (position < size) {
          long chunkEnd = Math.min(size, (position / chunk + 1) * chunk);
          int length = (int) Math.min(writeSize, chunkEnd - position);
          // A new array each time: the block hasher and the lanes read it after this loop has moved on.
          ByteBuffer buf = ByteBuffer.allocate(length);
          readFully(f, local, buf, position, length);
          digest.update(buf.array(), 0, length);
          if (start.blocks() != null) {
            start.blocks().add(buf.array(), length);
          }
          if (position + length == chunkEnd) {
            progress.prefixRead(Chunking.chunks(chunkEnd, chunk), digest.hex());
          }
          sender.write(position, buf.array(), length);
          position += length;
        }
        sender.finish();
      }
      for (LaneSender.Lane lane : lanes) {
        if (lane.channel() instanceof SftpPipe) {
          lane.channel().closeHandle(lane.handle());
        }
      }
      healthy = true;
    } finally {
      pipes.giveBack(taken, healthy);
    }
    if (local.size() != size) {
      throw changed(f, "grew while being sent");
    }
    return digest;
  }

  /**
   * The link's round trip: the open's time, or when that looks like a long link, the shortest of
   * it and {@link #RTT_SAMPLES} more requests. One request can take 20 ms on a fast link that is
   * busy for a moment (a loaded loopback in CI did, and sent a file over two lanes, doubling what
   * a cut costs); the minimum of three is the link's.
   */
  private long roundTrip(Start start) throws IOException {
    if (maxLanes <= 1 || start.openNanos() < LANE_RTT_NANOS) {
      return start.openNanos();
    }
    long best = start.openNanos();
    for (int i = 0; i < RTT_SAMPLES && best >= LANE_RTT_NANOS; i++) {
      long t0 = System.nanoTime();
      sftp.stat(start.handle());
      best = Math.min(best, System.nanoTime() - t0);
    }
    return best;
  }

  /** How many lanes {@code remaining} bytes go over, given the link's round trip. */
  private int lanesFor(long remaining, long roundTripNanos) {
    if (maxLanes <= 1 || roundTripNanos < LANE_RTT_NANOS) {
      return 1;
    }
    return (int) Math.max(1, Math.min(maxLanes, remaining / chunk));
  }

  /** Reads {@code length} bytes from {@code position} into {@code buf}; a file that ends first changed. */
  static void readFully(FileTransfer f, FileChannel local, ByteBuffer buf, long position, int length) throws IOException {
    buf.clear().limit(length);
    while (buf.hasRemaining()) {
      if (local.read(buf, position + buf.position()) < 0) {
        throw changed(f, "shrank while being sent");
      }
    }
  }

  /**
   * @param hashedWhileSent the server's digest taken while the chunks arrived, if it could; a
   *     mismatch there is checked once more the usual way before the file is sent again
   */
  private Verdict verifyAndPlace(FileTransfer f, String temp, String localHex, Optional<String> hashedWhileSent)
      throws IOException {
    Optional<String> remoteHex = hashedWhileSent.filter(localHex::equals);
    if (remoteHex.isEmpty()) {
      if (hashedWhileSent.isPresent()) {
        log.debug("{}: the digest taken while sending differs; hashing the whole file on the server", f.entry().path());
      }
      remoteHex = hashOnServer(temp, -1);
    }
    if (remoteHex.isPresent() && !remoteHex.get().equals(localHex)) {
      journal.finish(f.entry().path());
      removeQuietly(temp);
      return Verdict.MISMATCH;
    }
    placement.renameOver(temp, remote.apply(f.entry().path()));
    journal.finish(f.entry().path());
    return remoteHex.isPresent() ? Verdict.VERIFIED : Verdict.UNVERIFIED;
  }

  private Optional<String> hashOnServer(String path, long prefix) throws IOException {
    return hashOnServer(session, path, prefix);
  }

  /** The server's SHA-256 of a whole file, as {@link #hashOnServer(ClientSession, String, long)}. */
  static Optional<String> hashOnServer(ClientSession session, String path) throws IOException {
    return hashOnServer(session, path, -1);
  }

  /** The server's SHA-256 of a file or prefix; a file it cannot read hashes to nothing we sent. */
  private static Optional<String> hashOnServer(ClientSession session, String path, long prefix) throws IOException {
    try {
      return RemoteHashes.sha256Of(session, path, prefix);
    } catch (IOException e) {
      if (!session.isOpen()) {
        throw e;
      }
      log.debug("cannot hash {} on the server: {}", path, e.getMessage());
      return Optional.of("unreadable");
    }
  }

  /** Forgets an interrupted upload and removes its part. */
  private void abandon(PartialUpload stale) {
    journal.finish(stale.path());
    removeQuietly(remote.apply(stale.tempPath()));
  }

  private void removeQuietly(String path) {
    removeQuietly(sftp, path);
  }

  /** Removes a temporary file if it can; one that stays is cleaned up by the next push. */
  static void removeQuietly(SftpClient sftp, String path) {
    try {
      sftp.remove(path);
    } catch (IOException ignored) {
      // gone already, or left for the next run's cleanup of our temp names
    }
  }

  private static void closeQuietly(CloseableHandle handle) {
    try {
      handle.close();
    } catch (IOException ignored) {
      // the failure that got us here is the one reported
    }
  }

  /** The failure of a file whose local source changed while it was being sent. */
  static NoSuchFileException changed(FileTransfer f, String how) {
    return new NoSuchFileException(f.local().toString(), null, "changed while being sent (" + how + ")");
  }
}
