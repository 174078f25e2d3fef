package dev.scpsync.monitor;

import dev.scpsync.engine.WatchEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Hands each {@link WatchEvent} to every subscriber and keeps the most recent ones, so that a
 * dashboard that connects late (or reconnects) starts with a filled feed.
 *
 * <p>Thread-safe. Subscribers are called on the publishing thread (an engine worker) and must not
 * block: the SSE clients queue, and drop themselves when they fall behind.
 */
public final class EventHub implements Consumer<WatchEvent> {
  private final int keep;
  private final Deque<WatchEvent> recent = new ArrayDeque<>();
  private final List<Consumer<WatchEvent>> subscribers = new CopyOnWriteArrayList<>();

  public EventHub(int keep) {
    this.keep = keep;
  }

  @Override
  public void accept(WatchEvent event) {
    synchronized (recent) {
      recent.addLast(event);
      if (recent.size() > keep) {
        recent.removeFirst();
      }
    }
    for (Consumer<WatchEvent> s : subscribers) {
      s.accept(event);
    }
  }

  /** The last events, oldest first. */
  public List<WatchEvent> recent() {
    synchronized (recent) {
      return new ArrayList<>(recent);
    }
  }

  /** Adds a subscriber; closing the result removes it. */
  public AutoCloseable subscribe(Consumer<WatchEvent> subscriber) {
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }
}
