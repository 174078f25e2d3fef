package dev.scpsync.plan;

import dev.scpsync.tree.Entry;
import java.util.function.Predicate;

/**
 * What a plan may do.
 *
 * @param delete remove destination entries that the source does not have
 * @param symlinks whether the destination can hold symlinks; when not, source symlinks are
 *     reported as skipped and destination symlinks are left alone
 * @param protectedEntries destination entries that must never be deleted or replaced (excluded
 *     paths); a directory holding one is emptied around it rather than deleted
 */
public record PlanOptions(boolean delete, boolean symlinks, Predicate<Entry> protectedEntries) {
  public static PlanOptions defaults() {
    return new PlanOptions(false, true, e -> false);
  }

  public PlanOptions withDelete(boolean value) {
    return new PlanOptions(value, symlinks, protectedEntries);
  }

  public PlanOptions withSymlinks(boolean value) {
    return new PlanOptions(delete, value, protectedEntries);
  }

  public PlanOptions withProtected(Predicate<Entry> value) {
    return new PlanOptions(delete, symlinks, value);
  }
}
