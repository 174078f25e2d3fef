package dev.scpsync.config;

import java.util.Locale;

/** Byte sizes and rates as people write them: {@code 8M}, {@code 512K}, {@code 1G}, {@code 1048576}. */
public final class ByteSizes {
  private ByteSizes() {}

  /**
   * Parses a size as users write it: a byte count with an optional binary suffix, K, M, G or T
   * (also KiB, MB, ...; always powers of 1024, as rsync's --block-size and scp -l users expect).
   *
   * @throws IllegalArgumentException naming what was not understood
   */
  public static long parse(String text) {
    String t = text.strip().toUpperCase(Locale.ROOT);
    if (t.endsWith("IB")) {
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("B")) {
      t = t.substring(0, t.length() - 1);
    }
    int shift = 0;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'K' -> shift = 10;
        case 'M' -> shift = 20;
        case 'G' -> shift = 30;
        case 'T' -> shift = 40;
        default -> shift = -1;
      }
      if (shift >= 0) {
        t = t.substring(0, t.length() - 1);
      } else {
        shift = 0;
      }
    }
    long n;
    try {
      n = Long.parseLong(t.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a size: '" + text + "' (e.g. 8M, 512K, 1G, 1048576)");
    }
    if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("size out of range: '" + text + "'");
    }
    return n << shift;
  }}
