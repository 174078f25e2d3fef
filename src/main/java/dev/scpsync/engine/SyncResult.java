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
    Duration elapsed) {

  public SyncResult {
    problems = List.copyOf(problems);
  }

  /** Whether the destination now matches the source (or, for a dry run, could be made to). */
  public boolean matches() {
    return problems.isEmpty();
  }
}
