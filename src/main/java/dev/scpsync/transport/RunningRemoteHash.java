package dev.scpsync.transport;

import dev.scpsync.transport.scp.ShellQuoting;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SHA-256 of a large upload's temporary file, computed by the server while the file is still
 * being sent: one shell on the server reads each chunk once the client has seen it confirmed
 * ({@code dd} of that chunk, in order, into one {@code openssl dgst}/{@code sha256sum}), so that
 * when the last chunk is confirmed only that chunk is left to hash. Hashing the whole file after
 * the last write cost about a second per GiB of waiting at the end of every large upload.
 *
 * <p>Only ever an optimisation: when the server cannot run the command, a chunk cannot be read, or
 * anything else goes wrong, {@link #finish} says so and the caller hashes the finished file the
 * usual way ({@link RemoteHashes#sha256Of}). The chunks are read only after their writes were
 * acknowledged, so what is hashed is what the server holds.
 */
public final class RunningRemoteHash implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunningRemoteHash.class);
  private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);
  private static final long END = -1;
  private static final long DD_BLOCK = 64 * 1024;

  private final BlockingQueue<Long> confirmed = new LinkedBlockingQueue<>();
  private final CompletableFuture<Optional<String>> result = new CompletableFuture<>();
  private final String command;
  private final ClientSession session;
  private final Thread feeder;
  private volatile ChannelExec exec;

  private RunningRemoteHash(ClientSession session, String remotePath, long chunk) {
    this.session = session;
    String file = ShellQuoting.quote(remotePath);
    // Chunk numbers arrive on stdin, one per line, in order; a chunk dd cannot read makes the
    // whole command fail (a digest of less than the file would only look like a mismatch).
    // dd copies through a buffer of bs bytes: 64 KiB stays in the CPU's caches, where one of a
    // whole chunk (8 MiB, faulted in afresh by every dd) cost the server 2.6 CPU-seconds per GiB
    // hashed instead of 1.8 (openssl reading the file itself: 0.8; the rest is the pipe).
    long bs = chunk % DD_BLOCK == 0 ? DD_BLOCK : chunk;
    long count = chunk / bs;
    this.command = RemoteHashes.HASH_STDIN + "[ -r " + file + " ] || exit 2; "
        + "{ while read n; do dd if=" + file + " bs=" + bs + " skip=$((n*" + count + ")) count=" + count + " 2>/dev/null "
        + "|| { echo \"cannot read chunk $n\" >&2; exit 3; }; done; } | h";
    this.feeder = Thread.ofVirtual().name("scpsync-remote-hash").unstarted(this::run);
  }

  /**
   * Starts hashing {@code remotePath} on the server, in chunks of {@code chunk} bytes; the first
   * {@code alreadyConfirmed} chunks (a resumed upload's) are read at once.
   */
  public static RunningRemoteHash start(ClientSession session, String remotePath, long chunk, long alreadyConfirmed) {
    RunningRemoteHash hash = new RunningRemoteHash(session, remotePath, chunk);
    hash.confirmed.add(alreadyConfirmed);
    hash.feeder.start();
    return hash;
  }

  /** The first {@code chunks} chunks are on the server: they may be read. Never blocks. */
  public void confirmed(long chunks) {
    confirmed.add(chunks);
  }

  /**
   * Every chunk was confirmed: the digest of the file, once the server has read the last ones; or
   * empty when the server could not hash it this way.
   */
  public Optional<String> finish(Duration timeout) {
    confirmed.add(END);
    try {
      return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException e) {
      return Optional.empty();
    }
  }

  /** Stops hashing (the upload failed, or the digest was taken); idempotent. */
  @Override
  public void close() {
    result.complete(Optional.empty());
    feeder.interrupt();
    ChannelExec channel = exec;
    if (channel != null) {
      channel.close(true);
    }
  }

  private void run() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (ChannelExec channel = session.createExecChannel(command)) {
      exec = channel;
      channel.setOut(out);
      channel.setErr(err);
      channel.open().verify(OPEN_TIMEOUT);
      OutputStream in = channel.getInvertedIn();
      long sent = 0;
      while (!result.isDone()) {
        long chunks = confirmed.take();
        if (chunks == END) {
          break;
        }
        StringBuilder lines = new StringBuilder();
        for (; sent < chunks; sent++) {
          lines.append(sent).append('\n');
        }
        in.write(lines.toString().getBytes(StandardCharsets.US_ASCII));
        in.flush();
      }
      in.close(); // EOF: the loop ends and the digest is written
      channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofMinutes(10));
      Integer status = channel.getExitStatus();
      String hex = status != null && status == 0 && err.size() == 0 ? RemoteHashes.digestIn(out.toString(StandardCharsets.UTF_8)) : null;
      if (hex == null) {
        log.debug("hashing on the server while sending did not work (exit {}): {}", status,
            err.toString(StandardCharsets.UTF_8).strip());
      }
      result.complete(Optional.ofNullable(hex));
    } catch (IOException | RuntimeException e) {
      log.debug("hashing on the server while sending stopped: {}", e.toString());
      result.complete(Optional.empty());
    } catch (InterruptedException e) {
      result.complete(Optional.empty());
    }
  }
}
