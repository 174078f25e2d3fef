package dev.scpsync.cli;

import dev.scpsync.engine.SyncOptions;
import dev.scpsync.scan.ExcludeRules;
import dev.scpsync.transport.Chunking;
import dev.scpsync.transport.Protocol;
import dev.scpsync.transport.RemoteOpener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by push and pull. */
final class SyncFlags {
  @Option(names = "--delete", description = "Delete destination files that the source does not have (excluded paths are never deleted).")
  boolean delete;

  @Option(names = {"-n", "--dry-run"}, description = "Show what would be done; change nothing.")
  boolean dryRun;

  @Option(names = "--exclude", paramLabel = "PATTERN", description = "Leave out paths matching a gitignore-style pattern (repeatable): no '/' matches a name at any depth, a leading or middle '/' anchors to the root, a trailing '/' means directories, '**' crosses directories, '!' re-includes; the last match wins.")
  List<String> excludes = new ArrayList<>();

  @Option(names = "--exclude-from", paramLabel = "FILE", description = "Read exclude patterns from FILE (gitignore syntax; repeatable). A .scpsyncignore file in the source root is read first, --exclude patterns last.")
  List<Path> excludeFrom = new ArrayList<>();

  @Option(names = "--chunk-size", paramLabel = "SIZE", defaultValue = "8M",
      description = "Upload files of at least SIZE in chunks of SIZE (default 8M; K, M, G suffixes, at least 64K): an interrupted upload resumes from its last confirmed chunk on the next push, and every such file is checked by SHA-256 on the remote where it can hash. Push and watch only.")
  String chunkSize;

  @Option(names = "--bwlimit", paramLabel = "RATE",
      description = "Most bytes of file content a second per target, e.g. 500K, 20M (token bucket; K, M, G suffixes; 0 = no limit).")
  String bwlimit;

  @Option(names = "--no-delta",
      description = "Send changed large files (at least --chunk-size) whole, instead of as the blocks that changed since the version the sync state says the remote holds.")
  boolean noDelta;

  @Option(names = "--parallel", paramLabel = "N",
      description = "Most SSH channels each target's uploads use at once, 1 to 16 (default: 2 over SFTP, 1 over SCP). A batch takes one channel per 250 small files, up to N; each is a process on the server (sftp-server, scp), and OpenSSH serves 10 per connection by default. Push and watch only.")
  Integer parallel;

  @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
  boolean quiet;

  /** The options; {@code localSourceRoot} is where {@code .scpsyncignore} is read (push), or null. */
  SyncOptions toOptions(Protocol protocol, Path localSourceRoot) throws IOException {
    return new SyncOptions(delete, dryRun, ExcludeRules.load(localSourceRoot, excludes, excludeFrom), protocol)
        .withChunkSize(chunkSizeBytes()).withBwlimit(bwlimitBytes()).withParallel(parallelChannels()).withDelta(!noDelta);
  }

  private int parallelChannels() {
    if (parallel == null) {
      return 0;
    }
    if (parallel < 1 || parallel > RemoteOpener.MAX_PARALLEL) {
      throw new ErrorReporter.UsageException("--parallel must be 1 to " + RemoteOpener.MAX_PARALLEL + ", not " + parallel);
    }
    return parallel;
  }

  private long bwlimitBytes() {
    if (bwlimit == null) {
      return 0;
    }
    try {
      return Sizes.parse(bwlimit);
    } catch (IllegalArgumentException e) {
      throw new ErrorReporter.UsageException("--bwlimit: " + e.getMessage());
    }
  }

  private long chunkSizeBytes() {
    long bytes;
    try {
      bytes = Sizes.parse(chunkSize);
    } catch (IllegalArgumentException e) {
      throw new ErrorReporter.UsageException("--chunk-size: " + e.getMessage());
    }
    if (bytes < Chunking.MIN_CHUNK_SIZE) {
      throw new ErrorReporter.UsageException("--chunk-size must be at least 64K, not '" + chunkSize + "'");
    }
    return bytes;
  }
}
