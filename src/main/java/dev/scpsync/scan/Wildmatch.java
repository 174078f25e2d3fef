package dev.scpsync.scan;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Translates one glob in git's wildmatch dialect (as used by gitignore, with {@code WM_PATHNAME})
 * into a {@link Pattern} that must match a whole '/'-separated path.
 *
 * <p>{@code *} and {@code ?} never match '/'; neither does a bracket class, even {@code [!a]} or
 * {@code [/]}. {@code **} is special only as a whole path component: at the start and followed by
 * '/' or between slashes it matches zero or more directories, and after a final '/' it matches
 * anything, slashes included. Elsewhere a run of stars is one {@code *}, as gitignore(5) documents.
 * A backslash makes the next character literal.
 *
 * <p>Bracket classes follow wildmatch.c: {@code !} or {@code ^} negates, a {@code ]} right after
 * the opening (or after the negation) is literal, {@code a-z} is a range ({@code -} first or last
 * is literal), a reversed range {@code [z-a]} matches only its first character, {@code [:alpha:]}
 * and the other POSIX class names are ASCII-only as in git ({@code [:space:]} is space, tab, CR and
 * LF: git's {@code isspace}).
 *
 * <p>Git aborts the match (so the pattern silently never matches) on an unterminated class, an
 * unknown {@code [:name:]} or a trailing lone backslash. We reject those with {@link
 * IllegalArgumentException} instead, because a pattern that can never match is always a typo the
 * user wants to hear about.
 *
 * <p>Matching works on Java characters (code points), git on bytes: {@code ?} matches one non-ASCII
 * character here, one byte of its UTF-8 form in git. Only names outside ASCII differ.
 */
final class Wildmatch {
  private static final Map<String, String> POSIX_CLASSES =
      Map.ofEntries(
          Map.entry("alnum", "\\p{Alnum}"),
          Map.entry("alpha", "\\p{Alpha}"),
          Map.entry("blank", "\\p{Blank}"),
          Map.entry("cntrl", "\\p{Cntrl}"),
          Map.entry("digit", "\\p{Digit}"),
          Map.entry("graph", "\\p{Graph}"),
          Map.entry("lower", "\\p{Lower}"),
          Map.entry("print", "\\p{Print}"),
          Map.entry("punct", "\\p{Punct}"),
          Map.entry("space", "\\t\\n\\r\\x{20}"),
          Map.entry("upper", "\\p{Upper}"),
          Map.entry("xdigit", "\\p{XDigit}"));

  private final int[] p;
  private final StringBuilder regex = new StringBuilder();

  private Wildmatch(String glob) {
    this.p = glob.codePoints().toArray();
  }

  /**
   * Compiles a glob into a pattern for {@link java.util.regex.Matcher#matches()}.
   *
   * @throws IllegalArgumentException with a reason (not the glob: the caller names it) when the
   *     glob is malformed
   */
  static Pattern compile(String glob) {
    Wildmatch w = new Wildmatch(glob);
    w.translate();
    // DOTALL: a file name may contain a newline, and '.' must still match it.
    return Pattern.compile(w.regex.toString(), Pattern.DOTALL);
  }

  private void translate() {
    int i = 0;
    while (i < p.length) {
      int c = p[i];
      switch (c) {
        case '*' -> i = star(i);
        case '?' -> {
          regex.append("[^/]");
          i++;
        }
        case '[' -> i = bracket(i);
        case '\\' -> {
          if (i + 1 == p.length) {
            throw new IllegalArgumentException("trailing backslash escapes nothing");
          }
          literal(p[i + 1]);
          i += 2;
        }
        default -> {
          literal(c);
          i++;
        }
      }
    }
  }

  /** Translates the run of stars at {@code start}; returns the index after what it consumed. */
  private int star(int start) {
    int end = start;
    while (end < p.length && p[end] == '*') {
      end++;
    }
    boolean componentStart = start == 0 || p[start - 1] == '/';
    if (end - start >= 2 && componentStart) {
      if (end == p.length) {
        regex.append(".*");
        return end;
      }
      if (p[end] == '/') {
        // Zero or more whole directories: "a/**/b" matches a/b, a/x/b, a/x/y/b.
        regex.append("(?:.*/)?");
        return end + 1;
      }
      if (end + 1 < p.length && p[end] == '\\' && p[end + 1] == '/') {
        // wildmatch.c only tries "zero directories" for an unescaped '/'.
        regex.append(".*/");
        return end + 2;
      }
    }
    regex.append("[^/]*");
    return end;
  }

  /** Translates the class opening at {@code open}; returns the index after its closing ']'. */
  private int bracket(int open) {
    int i = open + 1;
    boolean negated = i < p.length && (p[i] == '!' || p[i] == '^');
    if (negated) {
      i++;
    }
    StringBuilder members = new StringBuilder();
    int prev = -1; // the previous literal member, the low end of a possible range
    boolean first = true; // a ']' in first position is a member, not the end
    while (true) {
      if (i >= p.length) {
        throw new IllegalArgumentException("unterminated character class '['");
      }
      int c = p[i];
      if (c == ']' && !first) {
        break;
      }
      first = false;
      if (c == '\\') {
        if (++i >= p.length) {
          throw new IllegalArgumentException("unterminated character class '['");
        }
        prev = member(members, p[i]);
      } else if (c == '-' && prev >= 0 && i + 1 < p.length && p[i + 1] != ']') {
        int hi = p[++i];
        if (hi == '\\') {
          if (++i >= p.length) {
            throw new IllegalArgumentException("unterminated character class '['");
          }
          hi = p[i];
        }
        // The low end was already added as a member; a reversed range adds nothing more in git,
        // and Java would reject it.
        if (prev <= hi) {
          members.append("\\x{").append(Integer.toHexString(prev)).append("}-");
          members.append("\\x{").append(Integer.toHexString(hi)).append('}');
        }
        prev = -1;
      } else if (c == '[' && i + 1 < p.length && p[i + 1] == ':') {
        int close = i + 2;
        while (close < p.length && p[close] != ']') {
          close++;
        }
        if (close >= p.length) {
          throw new IllegalArgumentException("unterminated character class '['");
        }
        if (close - 1 < i + 2 || p[close - 1] != ':') {
          // No ":]": the '[' is an ordinary member, as in wildmatch.c.
          prev = member(members, '[');
        } else {
          String name = new String(p, i + 2, close - 1 - (i + 2));
          String cls = POSIX_CLASSES.get(name);
          if (cls == null) {
            throw new IllegalArgumentException("unknown character class '[:" + name + ":]'");
          }
          members.append(cls);
          prev = -1;
          i = close;
        }
      } else {
        prev = member(members, c);
      }
      i++;
    }
    // Never empty: the first member is always taken literally, even ']'.
    if (negated) {
      regex.append("[^").append(members).append("/]");
    } else {
      regex.append('[').append(members).append("&&[^/]]");
    }
    return i + 1;
  }

  private static int member(StringBuilder members, int c) {
    members.append("\\x{").append(Integer.toHexString(c)).append('}');
    return c;
  }

  private void literal(int c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/') {
      regex.append((char) c);
    } else {
      regex.append("\\x{").append(Integer.toHexString(c)).append('}');
    }
  }
}
