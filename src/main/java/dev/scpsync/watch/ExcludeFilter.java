package dev.scpsync.watch;

/**
 * A filter that says which paths the watcher must neither watch nor report, such as {@code
 * node_modules/}.
 *
 * <p>The watcher walks top-down and never descends into an excluded directory, so a filter only has
 * to judge the path itself, not its ancestors: {@code ExcludeRules::excludes} from the {@code scan}
 * package fits as a method reference. This is an interface rather than {@code ExcludeRules} because
 * {@code watch} may import only {@code tree} (design.md).
 *
 * <p>Implementations must be thread-safe and free of I/O: they are called on the watcher thread for
 * every event.
 */
@FunctionalInterface
public interface ExcludeFilter {
  /**
   * Whether {@code path} is excluded.
   *
   * @param path '/'-separated, relative to the watched root, never empty
   * @param isDirectory whether the path is a directory (gitignore's trailing-'/' patterns need it)
   */
  boolean excludes(String path, boolean isDirectory);

  /** A filter that excludes nothing. */
  static ExcludeFilter none() {
    return (path, isDirectory) -> false;
  }
}
