package dev.scpsync.plan;

import dev.scpsync.tree.Entry;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * What a plan may do.
 *
 * @param delete remove destination entries that the source does not have
 * @param symlinks whether the destination can hold symlinks; when not, source symlinks are
 *     reported as skipped and destination symlinks are left alone
 * @param protectedEntries destination entries that must never be deleted or replaced (excluded
 *     paths, or remote copies that drifted and are to be left alone); a directory holding one is
 *     emptied around it rather than deleted
 * @param sameContent whether a source file and a destination file of equal size hold the same
 *     bytes (known from hashes); {@code false} when unknown
 */
public record PlanOptions(
    boolean delete, boolean symlinks, Predicate<Entry> protectedEntries, BiPredicate<Entry, Entry> sameContent) {
  public static PlanOptions defaults() {
    return new PlanOptions(false, true, e -> false, (a, b) -> false);
  }

  public PlanOptions(boolean delete, boolean symlinks, Predicate<Entry> protectedEntries) {
    this(delete, symlinks, protectedEntries, (a, b) -> false);
  }

  public PlanOptions withDelete(boolean value) {
    return new PlanOptions(value, symlinks, protectedEntries, sameContent);
  }

  public PlanOptions withSymlinks(boolean value) {
    return new PlanOptions(delete, value, protectedEntries, sameContent);
  }

  public PlanOptions withProtected(Predicate<Entry> value) {
    return new PlanOptions(delete, symlinks, value, sameContent);
  }

  /**
   * Tells files of equal size but different mtime apart from files whose content is known to be
   * equal (by hash); those get their mtime set instead of being sent again.
   */
  public PlanOptions withSameContent(BiPredicate<Entry, Entry> value) {
    return new PlanOptions(delete, symlinks, protectedEntries, value);
  }
}
