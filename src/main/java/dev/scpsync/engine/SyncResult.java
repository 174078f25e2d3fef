package dev.scpsync.engine;

import dev.scpsync.plan.Plan;
import dev.scpsync.transport.Protocol;
import dev.scpsync.tree.Problem;
import java.time.Duration;
import java.util.List;

/**
 * What a push or pull did.
 *
 * @param plan what was planned
 * @param protocol the protocol actually used
 * @param filesTransferred files that reached their final path
 * @param bytesTransferred content bytes of those files
 * @param problems everything that did not work, per path; empty means the destination matches
 * @param renamed remote renames carried out for paths moved locally
 * @param drift remote entries someone else changed since the last sync, and what was done
 * @param deletesRefused deletes withheld by --max-delete or the empty-source guard (0 if none)
 * @param refusalReason why, or {@code null}
 * @param moves planned remote renames and conflict backups, as {@code "from -> to"}
 * @param unverified large files put in place without an end-to-end SHA-256 check, because the
 *     remote cannot hash: only their size and mtime are known to match
 * @param deltas large files sent as the blocks that changed against the remote's version
 * @param bytesSent bytes of file content that crossed the link (less than {@code
 *     bytesTransferred} after deltas and resumes)
 */
public record SyncResult(
    Plan plan,
    Protocol protocol,
    boolean dryRun,
    int filesTransferred,
    long bytesTransferred,
    int directoriesCreated,
    int symlinksCreated,
    int attributesSet,
    int deleted,
    List<Problem> problems,
    Duration elapsed,
    int renamed,
    List<Problem> drift,
    long deletesRefused,
    String refusalReason,
    List<String> moves,
    List<String> unverified,
    int deltas,
    long bytesSent) {

  public SyncResult {
    unverified = List.copyOf(unverified);
    problems = List.copyOf(problems);
    drift = List.copyOf(drift);
    moves = List.copyOf(moves);
  }

  public SyncResult(Plan plan, Protocol protocol, boolean dryRun, int filesTransferred, long bytesTransferred,
      int directoriesCreated, int symlinksCreated, int attributesSet, int deleted, List<Problem> problems, Duration elapsed) {
    this(plan, protocol, dryRun, filesTransferred, bytesTransferred, directoriesCreated, symlinksCreated, attributesSet,
        deleted, problems, elapsed, 0, List.of(), 0, null, List.of(), List.of(), 0, bytesTransferred);
  }

  /** Whether the destination now matches the source (or, for a dry run, could be made to). */
  public boolean matches() {
    return problems.isEmpty();
  }
}
