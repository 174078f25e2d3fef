package dev.scpsync.cli;

import dev.scpsync.engine.SyncOptions;
import dev.scpsync.scan.ExcludeRules;
import dev.scpsync.transport.Protocol;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by push and pull. */
final class SyncFlags {
  @Option(names = "--delete", description = "Delete destination files that the source does not have (excluded paths are never deleted).")
  boolean delete;

  @Option(names = {"-n", "--dry-run"}, description = "Show what would be done; change nothing.")
  boolean dryRun;

  @Option(names = "--exclude", paramLabel = "PATTERN", description = "Leave out matching paths (repeatable). No '/': matches a name at any depth; with '/': the path from the root; trailing '/': directories only.")
  List<String> excludes = new ArrayList<>();

  @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
  boolean quiet;

  SyncOptions toOptions(Protocol protocol) {
    return new SyncOptions(delete, dryRun, ExcludeRules.of(excludes), protocol);
  }
}
