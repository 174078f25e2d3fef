package dev.scpsync.plan;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.EntryType;
import dev.scpsync.tree.Problem;
import dev.scpsync.tree.Snapshot;
import dev.scpsync.tree.TreePaths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides how to make a destination match a source. A pure function: values in, {@link Plan}
 * out, no I/O.
 *
 * <p>A file is unchanged when size and mtime agree, mtime compared in whole seconds (SFTP v3
 * carries nothing finer, and rsync compares the same way). Directory mtimes are restored after
 * their contents are written, since writing inside a directory moves its mtime.
 */
public final class Planner {
  private Planner() {}

  public static Plan plan(Snapshot source, Snapshot destination, PlanOptions options) {
    List<Entry> clear = new ArrayList<>();
    List<Entry> mkdirs = new ArrayList<>();
    List<Entry> files = new ArrayList<>();
    List<Entry> symlinks = new ArrayList<>();
    List<Entry> fileAttrs = new ArrayList<>();
    List<Problem> skipped = new ArrayList<>();
    Set<String> touchedDirs = new HashSet<>();
    Set<String> blocked = new HashSet<>();
    Set<String> holdsProtected = dirsHoldingProtected(destination, options);

    for (Entry src : source.entries()) {
      if (isBelowAny(src.path(), blocked)) {
        continue;
      }
      Entry dst = destination.get(src.path());
      if (src.isSymlink() && !options.symlinks()) {
        skipped.add(new Problem(src.path(), "symlink skipped: the protocol cannot create symlinks"));
        continue;
      }
      if (dst != null && dst.type() == src.type() && !dst.isDirectory() && options.protectedEntries().test(dst)) {
        continue; // left as it is; the caller reports why (drift left alone)
      }
      if (dst != null && dst.type() != src.type()) {
        if (options.protectedEntries().test(dst)) {
          skipped.add(new Problem(src.path(), "destination holds an excluded " + kind(dst) + " here; left alone"));
          blocked.add(src.path());
          continue;
        }
        if (dst.isDirectory() && holdsProtected.contains(dst.path())) {
          skipped.add(new Problem(src.path(), "destination directory holds excluded entries; not replaced by a " + kind(src)));
          blocked.add(src.path());
          continue;
        }
        if (dst.isDirectory() && !options.delete()) {
          skipped.add(new Problem(src.path(), "destination has a directory where the source has a " + kind(src) + "; use --delete to replace it"));
          blocked.add(src.path());
          continue;
        }
        clear.add(dst);
        dst = null;
      }
      switch (src.type()) {
        case DIRECTORY -> {
          if (dst == null) {
            mkdirs.add(src);
            touchedDirs.add(src.path());
            touchedDirs.add(src.parent());
          } else if (dst.mode() != src.mode() || !sameSecond(dst, src)) {
            touchedDirs.add(src.path());
          }
        }
        case FILE -> {
          if (dst != null && dst.size() == src.size() && !sameSecond(dst, src) && options.sameContent().test(src, dst)) {
            fileAttrs.add(src); // only the mtime changed
          } else if (dst == null || dst.size() != src.size() || !sameSecond(dst, src)) {
            files.add(src);
            touchedDirs.add(src.parent());
          } else if (dst.mode() != src.mode()) {
            fileAttrs.add(src);
          }
        }
        case SYMLINK -> {
          if (dst == null || !dst.linkTarget().equals(src.linkTarget())) {
            symlinks.add(src);
            touchedDirs.add(src.parent());
          }
        }
      }
    }

    List<Entry> deletes = new ArrayList<>();
    if (options.delete()) {
      planDeletes(source, destination, options, holdsProtected, deletes, touchedDirs);
    }
    for (Entry c : clear) {
      touchedDirs.add(c.parent());
    }

    // Directory attributes last, deepest first, so later writes inside do not move them again.
    List<Entry> dirAttrs = new ArrayList<>();
    for (String dir : touchedDirs) {
      Entry src = source.get(dir);
      if (src != null && src.isDirectory() && !isBelowAny(dir, blocked)) {
        dirAttrs.add(src);
      }
    }
    dirAttrs.sort(Comparator.comparingInt((Entry e) -> TreePaths.depth(e.path())).reversed().thenComparing(Entry::path));
    List<Entry> attributes = new ArrayList<>(fileAttrs);
    attributes.addAll(dirAttrs);
    return new Plan(clear, mkdirs, files, symlinks, attributes, deletes, skipped);
  }

  /** Directories below which something is protected: they cannot be removed wholesale. */
  private static Set<String> dirsHoldingProtected(Snapshot destination, PlanOptions options) {
    Set<String> holdsProtected = new HashSet<>();
    for (Entry e : destination.entries()) {
      if (options.protectedEntries().test(e)) {
        String p = e.parent();
        while (!p.isEmpty()) {
          holdsProtected.add(p);
          p = TreePaths.parent(p);
        }
      }
    }
    return holdsProtected;
  }

  private static void planDeletes(
      Snapshot source, Snapshot destination, PlanOptions options, Set<String> holdsProtected, List<Entry> deletes, Set<String> touchedDirs) {
    Map<String, Entry> dst = destination.asMap();
    String deletedAbove = null;
    for (Entry e : dst.values()) {
      if (deletedAbove != null && TreePaths.isSameOrBelow(e.path(), deletedAbove)) {
        continue;
      }
      Entry src = source.get(e.path());
      if (src != null && src.type() != e.type()) {
        deletedAbove = e.path(); // cleared before the source entry is written, with all below it
        continue;
      }
      if (src != null || options.protectedEntries().test(e) || isProtectedBelow(e, options, dst)) {
        continue;
      }
      if (e.isDirectory() && holdsProtected.contains(e.path())) {
        continue; // its unprotected children are visited one by one
      }
      deletes.add(e);
      touchedDirs.add(e.parent());
      if (e.isDirectory()) {
        deletedAbove = e.path();
      }
    }
    deletes.sort(Comparator.comparing(Entry::path).reversed());
  }

  private static boolean isProtectedBelow(Entry e, PlanOptions options, Map<String, Entry> dst) {
    String p = e.parent();
    while (!p.isEmpty()) {
      Entry ancestor = dst.get(p);
      if (ancestor != null && options.protectedEntries().test(ancestor)) {
        return true;
      }
      p = TreePaths.parent(p);
    }
    return false;
  }

  private static boolean isBelowAny(String path, Set<String> roots) {
    if (roots.isEmpty()) {
      return false;
    }
    String p = path;
    while (!p.isEmpty()) {
      if (roots.contains(p)) {
        return true;
      }
      p = TreePaths.parent(p);
    }
    return false;
  }

  static boolean sameSecond(Entry a, Entry b) {
    return a.mtime().getEpochSecond() == b.mtime().getEpochSecond();
  }

  private static String kind(Entry e) {
    return e.type() == EntryType.DIRECTORY ? "directory" : e.type() == EntryType.SYMLINK ? "symlink" : "file";
  }
}
