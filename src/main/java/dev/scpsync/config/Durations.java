package dev.scpsync.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: {@code 20ms}, {@code 500ms}, {@code 2s}, {@code 1m}, {@code 0}. */
public final class Durations {
  private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m)?");

  private Durations() {}

  /** Parses a duration; a bare number other than 0 has no unit and is refused. */
  public static Duration parse(String value) {
    Matcher m = FORMAT.matcher(value.strip());
    if (!m.matches() || (m.group(2) == null && Long.parseLong(m.group(1)) != 0)) {
      throw new IllegalArgumentException("'" + value + "' is not a duration; write e.g. 20ms, 500ms, 2s or 1m");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
  }
}
