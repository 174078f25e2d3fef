package dev.scpsync.scan;

import dev.scpsync.tree.Entry;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Exclude patterns, rsync-style: a pattern without '/' matches a name at any depth ({@code
 * *.log}, {@code node_modules}); a pattern with '/' matches the path relative to the root ({@code
 * build/out}, {@code /only-at-root}); a trailing '/' matches directories only; {@code *}, {@code
 * ?}, {@code [...]} and {@code **} are globs. An excluded directory excludes everything below it.
 * Pure: no I/O.
 */
public final class ExcludeRules {
  private record Rule(String pattern, PathMatcher matcher, boolean dirOnly, boolean anchored) {}

  private final List<Rule> rules;

  private ExcludeRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public static ExcludeRules none() {
    return new ExcludeRules(List.of());
  }

  /**
   * Compiles patterns.
   *
   * @throws IllegalArgumentException naming the pattern when one is not a valid glob
   */
  public static ExcludeRules of(List<String> patterns) {
    List<Rule> rules = new ArrayList<>();
    for (String raw : patterns) {
      String p = raw.strip();
      if (p.isEmpty()) {
        continue;
      }
      boolean dirOnly = p.endsWith("/");
      if (dirOnly) {
        p = p.substring(0, p.length() - 1);
      }
      boolean anchored = p.contains("/");
      if (p.startsWith("/")) {
        p = p.substring(1);
      }
      try {
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + p);
        rules.add(new Rule(raw, m, dirOnly, anchored));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid exclude pattern '" + raw + "': " + e.getMessage(), e);
      }
    }
    return new ExcludeRules(rules);
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** Whether the entry itself matches (its ancestors are checked by the caller's walk). */
  public boolean excludes(String path, boolean isDirectory) {
    for (Rule r : rules) {
      if (r.dirOnly && !isDirectory) {
        continue;
      }
      String subject = r.anchored ? path : path.substring(path.lastIndexOf('/') + 1);
      if (r.matcher.matches(Path.of(subject))) {
        return true;
      }
    }
    return false;
  }

  /** Whether the entry or any of its ancestors is excluded. */
  public boolean excludesWithAncestors(Entry entry) {
    if (rules.isEmpty()) {
      return false;
    }
    String path = entry.path();
    if (excludes(path, entry.isDirectory())) {
      return true;
    }
    int slash = path.lastIndexOf('/');
    while (slash > 0) {
      path = path.substring(0, slash);
      if (excludes(path, true)) {
        return true;
      }
      slash = path.lastIndexOf('/');
    }
    return false;
  }
}
