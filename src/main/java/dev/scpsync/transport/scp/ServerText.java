package dev.scpsync.transport.scp;

import java.nio.charset.StandardCharsets;

/**
 * Makes text that a server sent safe to put in a message or a log line. Status messages, stderr and
 * error lines come from the other side of the connection and may carry terminal escape sequences or
 * fake line breaks; they are shown only after control characters are removed.
 */
final class ServerText {
  private static final int MAX_CHARS = 2000;

  private ServerText() {}

  static String clean(byte[] bytes) {
    return clean(new String(bytes, StandardCharsets.UTF_8));
  }

  static String clean(byte[] bytes, int offset, int length) {
    return clean(new String(bytes, offset, length, StandardCharsets.UTF_8));
  }

  /** Control characters (C0, DEL, C1) become spaces, runs of spaces collapse, ends are trimmed. */
  static String clean(String text) {
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_CHARS));
    boolean space = false;
    for (int i = 0; i < text.length() && sb.length() < MAX_CHARS; i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) || Character.isWhitespace(c)) {
        space = sb.length() > 0;
        continue;
      }
      if (space) {
        sb.append(' ');
        space = false;
      }
      sb.append(c);
    }
    if (sb.length() >= MAX_CHARS) {
      sb.append("...");
    }
    return sb.toString();
  }
}
