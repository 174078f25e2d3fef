package dev.scpsync.monitor;

import dev.scpsync.engine.TargetStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bytes per second per target, from the byte counters of status snapshots taken once a second:
 * the last minute of rates (the dashboard's sparkline) and their recent mean.
 *
 * <p>Thread-safe.
 */
final class Throughput {
  static final int SAMPLES = 60;

  private record Sample(long nanos, long bytes) {}

  private final Map<String, Sample> last = new HashMap<>();
  private final Map<String, Deque<Double>> rates = new HashMap<>();

  /** Records one snapshot taken at {@code nanos} (System.nanoTime()). */
  synchronized void sample(List<TargetStatus> targets, long nanos) {
    for (TargetStatus t : targets) {
      Sample previous = last.put(t.target(), new Sample(nanos, t.bytes()));
      if (previous != null && nanos > previous.nanos()) {
        double rate = (t.bytes() - previous.bytes()) / ((nanos - previous.nanos()) / 1e9);
        Deque<Double> history = rates.computeIfAbsent(t.target(), k -> new ArrayDeque<>());
        history.addLast(Math.max(0, rate));
        if (history.size() > SAMPLES) {
          history.removeFirst();
        }
      }
    }
  }

  /** The per-second rates of the last minute, oldest first. */
  synchronized List<Double> history(String target) {
    return new ArrayList<>(rates.getOrDefault(target, new ArrayDeque<>()));
  }

  /** Mean rate over the last {@code seconds} samples. */
  synchronized double recent(String target, int seconds) {
    Deque<Double> h = rates.get(target);
    if (h == null || h.isEmpty()) {
      return 0;
    }
    double sum = 0;
    int n = 0;
    var it = h.descendingIterator();
    while (it.hasNext() && n < seconds) {
      sum += it.next();
      n++;
    }
    return sum / n;
  }
}
