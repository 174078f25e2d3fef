package dev.scpsync.transport.ssh;

import java.util.Locale;

/** Whether an SSH connection compresses: never, always, or when measurements say it pays. */
public enum CompressionMode {
  /** No compression offered. */
  OFF,
  /** {@code zlib@openssh.com} (plain {@code zlib} too for servers that have only that), level 6. */
  ON,
  /**
   * {@code zlib@openssh.com} negotiated, the level chosen by trying: off, 1 or 6, whichever moves
   * the data fastest (see {@link CompressionGovernor}). Applies to what this side sends; what the
   * server sends is compressed at the server's own level once negotiated.
   */
  AUTO;

  /** {@code on|off|auto}, with {@code true|false} as the config file's booleans. */
  public static CompressionMode parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "on", "true" -> ON;
      case "off", "false" -> OFF;
      case "auto" -> AUTO;
      default -> throw new IllegalArgumentException("'" + value + "': on, off or auto");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
