package dev.scpsync.plan;

import dev.scpsync.tree.Problem;
import java.util.List;

/**
 * A plan made with the sync state: the basic {@link Plan}, plus what goes before it and what it
 * refused.
 *
 * <p>Execution order: {@code backups} (drifted remote copies renamed aside), the plan's {@code
 * clear}, {@code mkdirsBefore} (the plan's mkdirs outside renamed directories), {@code renames},
 * then the plan's remaining mkdirs, files, symlinks, attributes and deletes.
 *
 * @param plan the transfers and attribute changes
 * @param backups drifted remote entries renamed to a conflict name before being replaced
 * @param renames paths moved locally, carried out as remote renames
 * @param drift remote entries changed by someone else since the last sync, with what was done
 * @param deletesRefused how many deletes were withheld by a safety limit (0 when none)
 * @param refusalReason why they were withheld, or {@code null}
 */
public record IncrementalPlan(
    Plan plan, List<Rename> backups, List<Rename> renames, List<Problem> drift, long deletesRefused, String refusalReason) {
  public IncrementalPlan {
    backups = List.copyOf(backups);
    renames = List.copyOf(renames);
    drift = List.copyOf(drift);
  }

  public boolean isEmpty() {
    return plan.isEmpty() && backups.isEmpty() && renames.isEmpty();
  }
}
