package dev.scpsync.watch;

import dev.scpsync.tree.TreePaths;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchKey;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which directory each watch key stands for. The JDK watches one directory per key, so recursion is
 * ours: {@link #registerTree} walks a subtree top-down, registering every directory that is not
 * excluded, and never descends into an excluded one.
 *
 * <p>A key is tied to an inode, not a name: after {@code mv a b} the kernel watch of {@code a}
 * reports {@code b}'s events, and the JDK hands that same key back when {@code b} is registered. So
 * names come from this registry, never from {@code WatchKey.watchable()}, and a key that comes back
 * under a new name is cancelled and registered afresh.
 *
 * <p>Mutated only by the watcher thread; the maps are concurrent so that {@link #size} and {@link
 * #keys} may be read from another thread and {@link #clear} may run from {@code close()}.
 */
final class WatchRegistry {
  /** Registers one directory with the watch service; a seam for tests that simulate the limit. */
  @FunctionalInterface
  interface Registrar {
    WatchKey register(Path dir) throws IOException;
  }

  /**
   * What a {@link #registerTree} met.
   *
   * @param failed directories that could not be watched, with the reason; now in {@link #unwatched}
   * @param moved old names of directories that turned up under a new name
   */
  record Outcome(Map<String, IOException> failed, List<String> moved) {}

  private static final Logger log = LoggerFactory.getLogger(WatchRegistry.class);

  private final Path root;
  private final ExcludeFilter excludes;
  private final Registrar registrar;
  private final Map<WatchKey, String> dirOfKey = new ConcurrentHashMap<>();
  private final NavigableMap<String, WatchKey> keyOfDir = new ConcurrentSkipListMap<>();
  private final NavigableSet<String> unwatched = new ConcurrentSkipListSet<>();

  WatchRegistry(Path root, ExcludeFilter excludes, Registrar registrar) {
    this.root = root;
    this.excludes = excludes;
    this.registrar = registrar;
  }

  /**
   * Watches {@code dir} and every directory below it that is not excluded. Registering before
   * listing is what makes a new subtree safe: whatever appears after a directory's registration
   * raises an event, whatever appeared before is in its listing. Already watched directories are
   * registered again at no cost, so this is also the repair after lost events.
   */
  Outcome registerTree(String dir) throws IOException {
    Map<String, IOException> failed = new LinkedHashMap<>();
    List<String> moved = new ArrayList<>();
    Files.walkFileTree(
        root.resolve(dir),
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path path, BasicFileAttributes attrs) {
            String rel = relative(path);
            if (!rel.isEmpty() && excludes.excludes(rel, true)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            try {
              watch(path, rel, moved);
            } catch (NoSuchFileException e) {
              return FileVisitResult.SKIP_SUBTREE; // gone again; its parent's event says so
            } catch (IOException e) {
              failed.put(rel, e);
              unwatched.add(rel);
              return FileVisitResult.SKIP_SUBTREE;
            }
            unwatched.remove(rel);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path path, IOException e) {
            // Vanished or unreadable: a scan of the same place reports it as a problem.
            log.debug("not watching {}: {}", path, e.toString());
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path path, IOException e) {
            if (e != null) {
              log.debug("listing {} stopped early: {}", path, e.toString());
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return new Outcome(failed, moved);
  }

  private void watch(Path path, String rel, List<String> moved) throws IOException {
    WatchKey key = registrar.register(path);
    String previous = dirOfKey.get(key);
    if (previous != null && !previous.equals(rel)) {
      moved.add(previous);
      forgetTree(previous);
      key = registrar.register(path);
    }
    dirOfKey.put(key, rel);
    WatchKey replaced = keyOfDir.put(rel, key);
    if (replaced != null && replaced != key) {
      dirOfKey.remove(replaced);
      replaced.cancel();
    }
  }

  /** The directory a key stands for, or null for a key forgotten meanwhile. */
  String dirOf(WatchKey key) {
    return dirOfKey.get(key);
  }

  /** Whether {@code rel} is a directory we watch or tried to. */
  boolean isDirectory(String rel) {
    return keyOfDir.containsKey(rel) || unwatched.contains(rel);
  }

  /** Cancels the watches of {@code dir} and below: it was deleted or moved away. */
  void forgetTree(String dir) {
    for (Map.Entry<String, WatchKey> e : List.copyOf(subtree(keyOfDir, dir).entrySet())) {
      keyOfDir.remove(e.getKey());
      dirOfKey.remove(e.getValue());
      e.getValue().cancel();
    }
    unwatched.removeIf(d -> dir.isEmpty() || TreePaths.isSameOrBelow(d, dir));
  }

  /** Drops a key the JDK invalidated (its directory is gone). */
  void forget(WatchKey key) {
    String dir = dirOfKey.remove(key);
    if (dir != null) {
      keyOfDir.remove(dir, key);
    }
  }

  /** Directories that could not be watched, taken out of the set to be retried. */
  List<String> takeUnwatched() {
    List<String> dirs = new ArrayList<>(unwatched);
    unwatched.clear();
    return dirs;
  }

  boolean hasUnwatched() {
    return !unwatched.isEmpty();
  }

  /** Directories watched now. */
  int size() {
    return keyOfDir.size();
  }

  List<WatchKey> keys() {
    return List.copyOf(dirOfKey.keySet());
  }

  /** Forgets everything without cancelling: for close(), where closing the service does that. */
  void clear() {
    dirOfKey.clear();
    keyOfDir.clear();
    unwatched.clear();
  }

  /** {@code dir} itself and every directory below it, as a list (a snapshot). */
  private static Map<String, WatchKey> subtree(NavigableMap<String, WatchKey> map, String dir) {
    if (dir.isEmpty()) {
      return new LinkedHashMap<>(map);
    }
    // '0' is the character after '/': the range holds exactly the paths below dir.
    Map<String, WatchKey> result = new LinkedHashMap<>(map.subMap(dir + "/", dir + "0"));
    WatchKey self = map.get(dir);
    if (self != null) {
      result.put(dir, self);
    }
    return result;
  }

  private String relative(Path path) {
    StringBuilder sb = new StringBuilder();
    for (Path part : root.relativize(path)) {
      if (!part.toString().isEmpty()) {
        if (!sb.isEmpty()) {
          sb.append('/');
        }
        sb.append(part);
      }
    }
    return sb.toString();
  }
}
