/**
 * OS file events turned into debounced, coalesced dirty-path hints for the engine; lost events and
 * unwatchable directories turned into rescan hints. {@link dev.scpsync.watch.TreeWatcher} is the
 * entry point; it may import only {@code tree} (design.md), so excludes arrive as an {@link
 * dev.scpsync.watch.ExcludeFilter}.
 *
 * <h2>Why the JDK WatchService, and what macOS will need</h2>
 *
 * <p>On Linux the JDK's {@link java.nio.file.WatchService} is inotify itself ({@code
 * sun.nio.fs.LinuxWatchService}): one watch per directory, events within microseconds, no polling
 * and no dependency. inotify is not recursive, so recursion is ours, and so are its two classic
 * races, both handled here: a directory created while watching is registered before it is listed,
 * so files made in it before its watch existed are covered by its subtree hint ({@code mkdir -p
 * a/b/c && touch a/b/c/f} is never half-missed); and a watch follows its inode, not its name, so a
 * renamed directory's watches are replaced rather than trusted ({@code WatchRegistry}).
 *
 * <p>On macOS the JDK has no FSEvents backend: it falls back to {@code PollingWatchService}, which
 * stats every watched directory every 10 s. That is the reason {@code io.methvin:directory-watcher}
 * exists (FSEvents through JNA on macOS, the JDK service elsewhere). Supporting macOS is the reason
 * a later change may add it, behind {@code TreeWatcher}'s API, which does not expose the JDK types.
 * Windows' JDK service (ReadDirectoryChangesW) should work with this code but is untested.
 *
 * <h2>Limits of the JDK service, and what is done about them</h2>
 *
 * <ul>
 *   <li>No close-after-write (IN_CLOSE_WRITE) events: the end of a write is inferred from quiet
 *       time, so a slow writer's first pause looks like a finished file (see {@code
 *       ChangeCoalescer}).
 *   <li>A rename arrives as a delete and a create with nothing pairing them: a moved directory is
 *       reported as two subtree hints (old and new), and recognising the move is the consumer's job
 *       (by comparing the rescans with the state).
 *   <li>A rename over an existing file arrives as a plain create; see {@code PendingPath}.
 *   <li>Events are lost when the kernel queue ({@code fs.inotify.max_queued_events}) or the JDK's
 *       per-key list (512 events between two polls) overflows: reported as OVERFLOW, handled by a
 *       re-walk and a subtree rescan hint.
 *   <li>Writes through a shared {@code mmap} raise no events at all; only a rescan sees them.
 * </ul>
 */
package dev.scpsync.watch;
