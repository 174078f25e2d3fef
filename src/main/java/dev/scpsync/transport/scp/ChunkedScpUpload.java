package dev.scpsync.transport.scp;

import static dev.scpsync.transport.scp.ShellQuoting.quote;

import dev.scpsync.transport.ChunkJournal;
import dev.scpsync.transport.Chunking;
import dev.scpsync.transport.ContentMismatch;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.LocalSha256;
import dev.scpsync.transport.PartialUpload;
import dev.scpsync.transport.RemoteHashes;
import dev.scpsync.transport.ResumeDecision;
import dev.scpsync.transport.TempNames;
import dev.scpsync.transport.TransferListener;
import dev.scpsync.tree.TreePaths;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One large file to an SCP-only server, the classic chunked way: each chunk goes through the SCP
 * sink as a part file of its own ({@code part-00000000}, ...) into a staging directory beside the
 * destination ({@link TempNames#stagingFor}); the parts are then concatenated on the server into
 * the temporary name, checked by SHA-256 against what was read, and renamed into place, and the
 * staging directory is removed.
 *
 * <p>Resume: the staging directory is listed over exec and parts already there with their full
 * size are skipped. SCP writes a part in one go and acknowledges it only when complete, so a part
 * cut short is recognisably short; a part damaged some other way is caught by the end-to-end
 * check, which sends the file once more from zero.
 */
final class ChunkedScpUpload {
  private static final Logger log = LoggerFactory.getLogger(ChunkedScpUpload.class);

  private final ClientSession session;
  private final RemotePaths paths;
  private final Duration idle;
  private final long chunk;
  private final ChunkJournal journal;

  ChunkedScpUpload(ClientSession session, RemotePaths paths, Duration idle, Chunking chunking) {
    this.session = session;
    this.paths = paths;
    this.idle = idle;
    this.chunk = chunking.chunkSize();
    this.journal = chunking.journal();
  }

  /**
   * Uploads one file and puts it in place.
   *
   * @return whether the server's SHA-256 confirmed it ({@code false}: it has no hashing tool)
   * @throws ContentMismatch when two transfers in a row arrived different from the source
   * @throws IOException when the server refused a step for this file, the local file changed, or
   *     the session was lost (then the parts and the journal row stay for a resume)
   */
  boolean upload(FileTransfer f, TransferListener listener) throws IOException {
    Boolean verified = attempt(f, listener, true);
    if (verified == null) {
      log.error("{}: SHA-256 on the remote differs from what was sent; sending it again from the start", f.entry().path());
      verified = attempt(f, listener, false);
    }
    if (verified == null) {
      log.error("{}: SHA-256 mismatch again; giving up on this file", f.entry().path());
      throw new ContentMismatch(f.entry().path());
    }
    return verified;
  }

  /** True: verified; false: unverified; null: the content on the server differs. */
  private Boolean attempt(FileTransfer f, TransferListener listener, boolean mayResume) throws IOException {
    String path = f.entry().path();
    long size = f.entry().size();
    try (FileChannel local = FileChannel.open(f.local(), StandardOpenOption.READ)) {
      if (local.size() != size) {
        throw new NoSuchFileException(f.local().toString(), null,
            "changed while being sent (now " + local.size() + " bytes, " + size + " when scanned)");
      }
      String tempPath = null;
      if (mayResume) {
        switch (ResumeDecision.of(journal, f, chunk)) {
          case ResumeDecision.Resume r -> tempPath = r.from().tempPath();
          case ResumeDecision.StartOver over -> {
            log.warn("{}: starting over: {}", path, over.reason());
            abandon(over.stale());
          }
          case ResumeDecision.Fresh fresh -> { }
        }
      }
      if (tempPath == null) {
        tempPath = TempNames.beside(path);
        journal.begin(new PartialUpload(path, tempPath.substring(tempPath.lastIndexOf('/') + 1), size, f.entry().mtime(),
            null, chunk, 0));
      }
      String staging = TempNames.stagingFor(tempPath);
      long parts = Chunking.chunks(size, chunk);
      boolean[] present = partsPresent(staging, size, parts);
      long already = 0;
      for (int i = 0; i < present.length; i++) {
        already += present[i] ? partLength(i, size) : 0;
      }
      if (already > 0) {
        listener.resumed(f, already);
      }
      String localHex = sendMissing(f, local, staging, present, listener);
      String remoteHex = concatenate(staging, tempPath, parts, size);
      if (remoteHex != null && !remoteHex.equals(localHex)) {
        run("rm -rf -- " + quote(paths.of(staging)) + " " + quote(paths.of(tempPath)));
        journal.finish(path);
        return null;
      }
      place(f, staging, tempPath);
      journal.finish(path);
      return remoteHex != null;
    }
  }

  /** Creates the staging directory if needed and says which parts are already there in full. */
  private boolean[] partsPresent(String staging, long size, long parts) throws IOException {
    String listing = run("mkdir -p -m 0700 -- " + quote(paths.of(staging)) + " && cd -- " + quote(paths.of(staging))
        + " && for p in part-*; do if [ -f \"$p\" ]; then printf '%s %s\\n' \"$p\" \"$(wc -c < \"$p\")\"; fi; done");
    boolean[] present = new boolean[Math.toIntExact(parts)];
    int found = 0;
    for (String line : listing.split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words.length != 2 || !words[0].matches("part-\\d{8}")) {
        continue;
      }
      long index = Long.parseLong(words[0].substring(5));
      if (index < parts && Long.parseLong(words[1]) == partLength(index, size)) {
        present[(int) index] = true;
        found++;
      }
    }
    if (found > 0) {
      log.info("{}: resuming: {} of {} parts already on the remote", staging, found, parts);
    }
    return present;
  }

  /** Sends the parts not there yet through one sink; returns the SHA-256 of the whole file. */
  private String sendMissing(FileTransfer f, FileChannel local, String staging, boolean[] present, TransferListener listener)
      throws IOException {
    long size = f.entry().size();
    LocalSha256 digest = LocalSha256.start();
    List<String> directory = elements(staging);
    ScpSink sink = null;
    try {
      for (int i = 0; i < present.length; i++) {
        long offset = i * chunk;
        long length = partLength(i, size);
        if (present[i]) {
          digest.update(local, offset, length);
          continue;
        }
        if (sink == null) {
          sink = ScpSink.open(session, paths.root(), idle);
        }
        Exception failed = sink.sendPart(directory, partName(i), local, offset, length, digest, listener);
        if (failed != null) {
          throw new IOException("cannot write part " + i + " of " + f.entry().path() + ": " + failed.getMessage(), failed);
        }
        // Parts go in order, so parts 0..i are all there now; the digest covers exactly them.
        journal.confirmed(f.entry().path(), i + 1L, digest.hex());
      }
      if (sink != null) {
        finishQuietly(sink);
      }
    } finally {
      if (sink != null) {
        sink.close();
      }
    }
    if (local.size() != size) {
      throw new NoSuchFileException(f.local().toString(), null, "changed while being sent (grew)");
    }
    return digest.hex();
  }

  /** Ends a sink whose parts are all acknowledged; its exit status no longer matters to them. */
  private void finishQuietly(ScpSink sink) throws IOException {
    try {
      sink.finish();
    } catch (IOException e) {
      if (!sink.sessionAlive()) {
        throw e;
      }
      log.debug("scp -t did not end cleanly: {}", e.getMessage());
    }
  }

  /**
   * Concatenates the parts into the temporary file on the server and hashes it there.
   *
   * @return the hex SHA-256, or null when the server has no hashing tool
   */
  private String concatenate(String staging, String tempPath, long parts, long size) throws IOException {
    // Silent while it copies and hashes: allow for a slow disk (16 MiB/s) on top of the idle timeout.
    Duration quietFor = idle.plusSeconds(size >> 24);
    String out = run(quietFor, RemoteHashes.HASH_STDIN + "s=" + quote(paths.of(staging)) + "; t=" + quote(paths.of(tempPath)) + "; i=0; "
        + "while [ $i -lt " + parts + " ]; do cat -- \"$(printf '%s/part-%08d' \"$s\" $i)\" || exit 1; i=$((i+1)); done > \"$t\" "
        + "|| exit 1; (h < \"$t\") || echo unhashed");
    if (out.strip().endsWith("unhashed")) {
      return null;
    }
    String hex = RemoteHashes.digestIn(out);
    if (hex == null) {
      throw new IOException("unexpected output of the SHA-256 tool on the server: " + ServerText.clean(out.getBytes(StandardCharsets.UTF_8)));
    }
    return hex;
  }

  /** Gives the temporary file its mtime and mode, renames it over the final path, drops the parts. */
  private void place(FileTransfer f, String staging, String tempPath) throws IOException {
    String temp = quote(paths.of(tempPath));
    String target = quote(paths.of(f.entry().path()));
    run("if [ -d " + target + " ]; then echo " + target + ": is a directory; exit 1; fi; "
        + "touch -c -m -d @" + FinalRenames.epochSeconds(f.entry().mtime()) + " -- " + temp
        + " && chmod -- " + String.format("%04o", f.entry().mode()) + " " + temp
        + " && mv -f -- " + temp + " " + target
        + " && rm -rf -- " + quote(paths.of(staging)));
  }

  /** Forgets an interrupted upload and removes its parts and temporary file. */
  private void abandon(PartialUpload stale) throws IOException {
    journal.finish(stale.path());
    run("rm -rf -- " + quote(paths.of(TempNames.stagingFor(stale.tempPath()))) + " " + quote(paths.of(stale.tempPath())));
  }

  private String run(String command) throws IOException {
    return run(idle, command);
  }

  /** Runs a command; returns its stdout, or throws with its stderr when it fails. */
  private String run(Duration quietFor, String command) throws IOException {
    try (RemoteProcess p = RemoteProcess.start(session, command, quietFor)) {
      p.closeStdin();
      String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
      int status = p.exitStatus();
      if (status != 0) {
        throw new IOException("'" + RemoteProcess.abbreviate(command) + "' failed (exit " + status + "): " + p.stderr() + out.strip());
      }
      return out;
    }
  }

  private long partLength(long index, long size) {
    return Math.min(chunk, size - index * chunk);
  }

  private static String partName(long index) {
    return String.format("part-%08d", index);
  }

  private static List<String> elements(String path) {
    return new ArrayList<>(Arrays.asList(path.split("/")));
  }
}
