package dev.scpsync.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scpsync.engine.WatchEvent;

/** The one JSON shape of an event, shared by the SSE stream and the JSON log. */
public final class EventJson {
  /** Shared, thread-safe once configured. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private EventJson() {}

  /** {@code ts, level, event, target, path, from, bytes, duration_ms, attempt, error}; nulls left out. */
  public static ObjectNode toJson(WatchEvent e) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("ts", e.ts().toString());
    o.put("level", e.level());
    o.put("event", e.event());
    putIfSet(o, "target", e.target());
    putIfSet(o, "path", e.path());
    putIfSet(o, "from", e.from());
    if (e.bytes() != null) {
      o.put("bytes", e.bytes());
    }
    if (e.durationMs() != null) {
      o.put("duration_ms", e.durationMs());
    }
    if (e.attempt() != null) {
      o.put("attempt", e.attempt());
    }
    putIfSet(o, "error", e.error());
    return o;
  }

  private static void putIfSet(ObjectNode o, String name, String value) {
    if (value != null) {
      o.put(name, value);
    }
  }
}
