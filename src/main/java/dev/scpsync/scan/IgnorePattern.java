package dev.scpsync.scan;

import java.util.regex.Pattern;

/**
 * One line of gitignore syntax, parsed and compiled, following git's {@code dir.c}: how a line
 * becomes a pattern (comments, trailing spaces, {@code !}, trailing and leading '/') lives here;
 * the glob dialect itself lives in {@link Wildmatch}.
 *
 * @param line the line as written, for messages
 * @param where where the line came from ({@code "file:line"}, {@code "--exclude"}), or null
 * @param negated a {@code !} pattern: a match re-includes
 * @param dirOnly written with a trailing '/': matches directories only
 * @param nameOnly written without any other '/': matches the last path element at any depth;
 *     otherwise the pattern matches the whole path from the root
 * @param glob the compiled glob
 */
record IgnorePattern(
    String line, String where, boolean negated, boolean dirOnly, boolean nameOnly, Pattern glob) {

  /**
   * Parses one line; {@code null} for a blank line or a comment.
   *
   * @param where prefix for the error message, or null
   * @throws IllegalArgumentException naming {@code where} and the line when it is malformed
   */
  static IgnorePattern parse(String line, String where) {
    if (line.startsWith("#")) {
      return null;
    }
    // Git drops the CR of CRLF line endings, so a file edited on Windows means the same.
    String p =
        trimTrailingSpaces(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    if (p.isEmpty()) {
      return null;
    }
    try {
      boolean negated = p.startsWith("!");
      if (negated) {
        p = p.substring(1);
      }
      boolean dirOnly = p.endsWith("/");
      if (dirOnly) {
        p = p.substring(0, p.length() - 1);
      }
      boolean nameOnly = p.indexOf('/') < 0;
      if (p.startsWith("/")) {
        p = p.substring(1);
      }
      if (p.isEmpty()) {
        // Git accepts "!", "/" and "!/" but they match nothing: surely not what was meant.
        throw new IllegalArgumentException("the pattern is empty");
      }
      return new IgnorePattern(line, where, negated, dirOnly, nameOnly, Wildmatch.compile(p));
    } catch (IllegalArgumentException e) {
      String prefix = where == null ? "" : where + ": ";
      throw new IllegalArgumentException(
          prefix + "invalid exclude pattern '" + line + "': " + e.getMessage(), e);
    }
  }

  /** Whether this pattern matches (matching says nothing yet about excluded or re-included). */
  boolean matches(String path, boolean isDirectory) {
    if (dirOnly && !isDirectory) {
      return false;
    }
    String subject = nameOnly ? path.substring(path.lastIndexOf('/') + 1) : path;
    return glob.matcher(subject).matches();
  }

  /**
   * Drops trailing spaces that are not escaped, exactly as git's {@code trim_trailing_spaces}: only
   * ' ' (not tabs), and a backslash protects the character after it.
   */
  static String trimTrailingSpaces(String s) {
    int lastSpace = -1;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ') {
        if (lastSpace < 0) {
          lastSpace = i;
        }
      } else {
        if (c == '\\') {
          i++;
          if (i == s.length()) {
            return s;
          }
        }
        lastSpace = -1;
      }
    }
    return lastSpace < 0 ? s : s.substring(0, lastSpace);
  }

  @Override
  public String toString() {
    return where == null ? line : where + ": " + line;
  }
}
