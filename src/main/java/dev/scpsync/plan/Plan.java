package dev.scpsync.plan;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import java.util.List;

/**
 * What to do to make a destination tree match a source tree, in the order it must be done:
 * replacements cleared first, then directories (parents before children), file uploads,
 * symlinks, attribute fixes (directories deepest first, after everything inside them is
 * written), and deletes last (children before parents).
 *
 * @param clear destination entries in the way of an entry of another type
 * @param mkdirs directories to create
 * @param files files to transfer (entries as in the source)
 * @param symlinks symlinks to create or replace
 * @param attributes existing entries whose mode or mtime must be set (entries as in the source)
 * @param deletes destination entries to remove (directories with everything below)
 * @param skipped source entries that cannot be mirrored, with the reason
 */
public record Plan(
    List<Entry> clear,
    List<Entry> mkdirs,
    List<Entry> files,
    List<Entry> symlinks,
    List<Entry> attributes,
    List<Entry> deletes,
    List<Problem> skipped) {

  public Plan {
    clear = List.copyOf(clear);
    mkdirs = List.copyOf(mkdirs);
    files = List.copyOf(files);
    symlinks = List.copyOf(symlinks);
    attributes = List.copyOf(attributes);
    deletes = List.copyOf(deletes);
    skipped = List.copyOf(skipped);
  }

  /** Whether the destination already matches (nothing to do; skipped entries aside). */
  public boolean isEmpty() {
    return clear.isEmpty() && mkdirs.isEmpty() && files.isEmpty() && symlinks.isEmpty()
        && attributes.isEmpty() && deletes.isEmpty();
  }

  public long fileBytes() {
    return files.stream().mapToLong(Entry::size).sum();
  }
}
