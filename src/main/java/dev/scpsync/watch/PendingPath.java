package dev.scpsync.watch;

/**
 * The coalescer's record of one path: either pending (changed, not yet reported) or cooling
 * (reported within the last settle period, kept only so that a new change counts as "still being
 * written"). Mutable; owned by one {@link ChangeCoalescer}.
 */
final class PendingPath {
  static final long NONE = Long.MIN_VALUE;

  final String path;

  /** Breaks ties between equal deadlines in the coalescer's timer set. */
  final long sequence;

  boolean pending;
  boolean subtree;

  /**
   * The episode began with a create of a path not reported lately: if it is gone at flush, it lived
   * and died inside the window. Only "lately", because the JDK reports a rename over an existing
   * file as a create too, and only a recent report proves that the path existed.
   */
  boolean createdFirst;

  /** Being written: changing for longer than settle, or changed again soon after a report. */
  boolean hot;

  long firstEvent = NONE;
  long lastEvent = NONE;

  /** The last look at the path, and when it was taken; only kept for hot files. */
  FileStamp lastStamp;

  long stampedAt = NONE;
  long reportedAt = NONE;

  /** The deadline this entry is filed under in the timer set, or NONE when it is not filed. */
  long timer = NONE;

  PendingPath(String path, long sequence) {
    this.path = path;
    this.sequence = sequence;
  }

  /** Starts a new episode of changes at {@code now}. */
  void begin(long now, boolean created) {
    pending = true;
    subtree = false;
    createdFirst = created && reportedAt == NONE;
    hot = reportedAt != NONE;
    firstEvent = now;
    lastStamp = null;
    stampedAt = NONE;
  }

  /** Ends the episode: the path was reported at {@code now}. */
  void reported(long now) {
    pending = false;
    subtree = false;
    createdFirst = false;
    hot = false;
    lastStamp = null;
    stampedAt = NONE;
    reportedAt = now;
  }
}
