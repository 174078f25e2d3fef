package dev.scpsync.scan;

import dev.scpsync.tree.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Exclude rules in gitignore syntax (gitignore(5)), one pattern per line, the last matching pattern
 * deciding. Paths are '/'-separated, relative to the source root, without a leading '/'; matching
 * is case-sensitive.
 *
 * <ul>
 *   <li>Blank lines match nothing; a line starting with {@code #} is a comment ({@code \#} for a
 *       literal '#'). Trailing spaces are dropped unless escaped ({@code \ }).
 *   <li>{@code !pattern} re-includes what an earlier pattern excluded ({@code \!} for a literal
 *       '!'). A path inside an excluded directory cannot be re-included: the directory is never
 *       descended into, exactly as in git ({@link #excludesWithAncestors}).
 *   <li>A trailing '/' matches directories only (not files, not symlinks to directories).
 *   <li>A pattern with a '/' at the start or in the middle matches the path from the root ({@code
 *       /build}, {@code docs/*.tmp}); one without matches a name at any depth ({@code *.log},
 *       {@code node_modules/}).
 *   <li>{@code *} and {@code ?} do not match '/', {@code [a-z]} / {@code [!a-z]} are classes;
 *       {@code **}{@code /x} matches x at any depth, {@code a/**} everything inside a, {@code
 *       a/**}{@code /b} zero or more directories between a and b (see {@link Wildmatch}).
 * </ul>
 *
 * <p>The matcher is a small glob-to-regex translator rather than JGit's {@code
 * org.eclipse.jgit.ignore}: JGit is a multi-megabyte dependency for a few hundred lines of logic,
 * and a translator written against git's own {@code wildmatch.c} and {@code dir.c} is checked
 * directly against {@code git check-ignore} in the tests. Two deliberate differences from git: a
 * pattern that git would silently never match (unterminated {@code [}, trailing lone backslash,
 * empty pattern) is rejected; and {@code **} right after a literal prefix ({@code /foo**}{@code
 * /bar}) is one {@code *} as gitignore(5) documents, where git 2.39 lets it cross directories.
 *
 * <p>Immutable and thread-safe. Pure: only {@link #load} does I/O.
 */
public final class ExcludeRules {
  /** The ignore file read from the source root; it is synced like any other file. */
  public static final String IGNORE_FILE = ".scpsyncignore";

  private final List<IgnorePattern> rules;

  private ExcludeRules(List<IgnorePattern> rules) {
    this.rules = List.copyOf(rules);
  }

  /** Rules that exclude nothing. */
  public static ExcludeRules none() {
    return new ExcludeRules(List.of());
  }

  /**
   * Compiles patterns, each one gitignore line (so {@code #...} is a comment and blank is nothing);
   * later patterns win over earlier ones.
   *
   * @throws IllegalArgumentException naming the pattern when one is malformed
   */
  public static ExcludeRules of(List<String> patterns) {
    List<IgnorePattern> rules = new ArrayList<>();
    for (String p : patterns) {
      add(rules, p, null);
    }
    return new ExcludeRules(rules);
  }

  /**
   * Loads the rules of one sync source, in increasing precedence (the last match wins, so a later
   * source overrides an earlier one, re-includes included):
   *
   * <ol>
   *   <li>{@code sourceRoot/.scpsyncignore}, when it exists. Only the one at the root is read; one
   *       in a subdirectory is an ordinary file. The file itself is not excluded implicitly: it is
   *       synced like any other file unless a pattern excludes it.
   *   <li>each {@code --exclude-from} file, in the order given;
   *   <li>the {@code --exclude} patterns, in the order given.
   * </ol>
   *
   * <p>Files are UTF-8; a leading byte-order mark and CRLF line endings are accepted.
   *
   * @throws NoSuchFileException naming the file when an {@code --exclude-from} file is missing
   * @throws IOException naming the file when one cannot be read
   * @throws IllegalArgumentException naming {@code file:line} (or {@code --exclude}) and the
   *     pattern when a pattern is malformed
   */
  public static ExcludeRules load(
      Path sourceRoot, List<String> cliPatterns, List<Path> excludeFromFiles) throws IOException {
    List<IgnorePattern> rules = new ArrayList<>();
    Path ignoreFile = sourceRoot == null ? null : sourceRoot.resolve(IGNORE_FILE);
    if (ignoreFile != null && Files.isRegularFile(ignoreFile)) {
      addFile(rules, ignoreFile);
    }
    for (Path file : excludeFromFiles) {
      if (!Files.exists(file)) {
        throw new NoSuchFileException(file.toString(), null, "--exclude-from file not found");
      }
      addFile(rules, file);
    }
    for (String p : cliPatterns) {
      add(rules, p, "--exclude");
    }
    return new ExcludeRules(rules);
  }

  private static void addFile(List<IgnorePattern> rules, Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IOException("cannot read exclude file " + file + ": " + e, e);
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      add(rules, lines[i], file + ":" + (i + 1));
    }
  }

  private static void add(List<IgnorePattern> rules, String line, String where) {
    IgnorePattern pattern = IgnorePattern.parse(line, where);
    if (pattern != null) {
      rules.add(pattern);
    }
  }

  /** Whether there are no rules at all (comments and blank lines do not count). */
  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /**
   * Whether the path itself is excluded by the last pattern that matches it, ignoring its
   * ancestors. Right for a top-down walk that has already pruned excluded directories (as {@link
   * LocalScanner} does); anything else should call {@link #excludesWithAncestors}.
   */
  public boolean excludes(String path, boolean isDirectory) {
    for (int i = rules.size() - 1; i >= 0; i--) {
      IgnorePattern rule = rules.get(i);
      if (rule.matches(path, isDirectory)) {
        return !rule.negated();
      }
    }
    return false;
  }

  /**
   * Whether the entry is excluded, either itself or because a directory above it is: git's rule
   * that nothing inside an excluded directory can be re-included.
   */
  public boolean excludesWithAncestors(Entry entry) {
    return excludesWithAncestors(entry.path(), entry.isDirectory());
  }

  /** Like {@link #excludesWithAncestors(Entry)} for a bare path. */
  public boolean excludesWithAncestors(String path, boolean isDirectory) {
    if (rules.isEmpty()) {
      return false;
    }
    // Top-down, as git walks: the first excluded directory decides for everything below it.
    for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
      if (excludes(path.substring(0, slash), true)) {
        return true;
      }
    }
    return excludes(path, isDirectory);
  }

  /** The patterns, one per line, each with where it came from. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (IgnorePattern rule : rules) {
      sb.append(rule).append('\n');
    }
    return sb.toString();
  }
}
