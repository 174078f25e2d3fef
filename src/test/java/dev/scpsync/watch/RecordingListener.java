package dev.scpsync.watch;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Keeps everything a watcher reports, for assertions from the test thread. */
final class RecordingListener implements WatchListener {
  private final Queue<DirtyPath> hints = new ConcurrentLinkedQueue<>();
  private final Queue<String> warnings = new ConcurrentLinkedQueue<>();
  private final Queue<Exception> stops = new ConcurrentLinkedQueue<>();

  @Override
  public void onChanges(List<DirtyPath> batch) {
    hints.addAll(batch);
  }

  @Override
  public void onWarning(String message) {
    warnings.add(message);
  }

  @Override
  public void onStopped(Exception cause) {
    stops.add(cause);
  }

  List<DirtyPath> hints() {
    return new ArrayList<>(hints);
  }

  List<String> warnings() {
    return new ArrayList<>(warnings);
  }

  List<Exception> stops() {
    return new ArrayList<>(stops);
  }

  /** Whether some hint so far covers {@code path}, exactly or as part of a subtree. */
  boolean covers(String path) {
    return hints.stream().anyMatch(h -> h.covers(path));
  }

  /** The paths not covered by any hint so far. */
  List<String> uncovered(List<String> paths) {
    List<DirtyPath> seen = hints();
    return paths.stream().filter(p -> seen.stream().noneMatch(h -> h.covers(p))).toList();
  }

  void clear() {
    hints.clear();
    warnings.clear();
  }
}
