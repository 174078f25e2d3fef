package dev.scpsync.watch;

import java.util.List;

/**
 * The receiver of what a {@link TreeWatcher} finds: batches of hints, warnings a user must hear
 * about, and the watcher's unexpected end.
 *
 * <p>Calls never overlap. They come from the watcher's own thread, except warnings raised while
 * {@link TreeWatcher#start} registers the tree, which come from the caller's thread before {@code
 * start} returns. Implementations should hand the batch off (to a queue) and return quickly: while
 * a call runs, OS events pile up and may overflow. An exception thrown by a call is logged and the
 * watcher carries on, but the hints of that batch are lost until the next rescan.
 */
public interface WatchListener {
  /**
   * A batch of hints, never empty, sorted by path, with no hint covered by a subtree hint of the
   * same batch. The list is unmodifiable.
   */
  void onChanges(List<DirtyPath> batch);

  /**
   * A condition the user must hear about (logged only at debug level: telling the user is the
   * listener's job): events were lost and subtrees are being
   * rescanned, or a directory cannot be watched. The message names the limit and the fix. Repeats
   * of the same kind are throttled to one a minute.
   */
  default void onWarning(String message) {}

  /**
   * Events were lost below {@code dirs} (the whole tree when it holds {@code ""}) and they are being
   * rescanned. Called for every overflow, unthrottled, before the (throttled) {@link #onWarning}: for
   * counting, not for telling a person.
   */
  default void onOverflow(java.util.Collection<String> dirs) {}

  /**
   * The watcher stopped on its own because of an unexpected failure; no further calls follow. Not
   * called after {@link TreeWatcher#close}.
   */
  default void onStopped(Exception cause) {}
}
