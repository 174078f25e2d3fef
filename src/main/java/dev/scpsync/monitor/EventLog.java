package dev.scpsync.monitor;

import dev.scpsync.engine.WatchEvent;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes each event to the {@code scpsync.events} logger with its fields as SLF4J key-value
 * pairs: in JSON logs they become top-level fields ({@code "event":"file.uploaded", "path":...});
 * in text logs they follow the message as {@code key=value}.
 */
public final class EventLog implements Consumer<WatchEvent> {
  /** The logger every event goes to; {@link LogSetup} sets its level. */
  public static final String LOGGER = "scpsync.events";
  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  @Override
  public void accept(WatchEvent e) {
    Level level = switch (e.level()) {
      case "error" -> Level.ERROR;
      case "warn" -> Level.WARN;
      default -> Level.INFO;
    };
    if (!log.isEnabledForLevel(level)) {
      return;
    }
    LoggingEventBuilder b = log.atLevel(level).addKeyValue("event", e.event());
    add(b, "target", e.target());
    add(b, "path", e.path());
    add(b, "from", e.from());
    add(b, "bytes", e.bytes());
    add(b, "duration_ms", e.durationMs());
    add(b, "attempt", e.attempt());
    add(b, "error", e.error());
    b.log(e.event());
  }

  private static void add(LoggingEventBuilder b, String key, Object value) {
    if (value != null) {
      b.addKeyValue(key, value);
    }
  }
}
