package dev.scpsync.tree;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * An immutable picture of a tree at one moment: its entries by relative path, in path order, and
 * the problems met while taking it.
 */
public final class Snapshot {
  private final NavigableMap<String, Entry> entries;
  private final List<Problem> problems;

  private Snapshot(NavigableMap<String, Entry> entries, List<Problem> problems) {
    this.entries = Collections.unmodifiableNavigableMap(entries);
    this.problems = List.copyOf(problems);
  }

  public static Snapshot of(Collection<Entry> entries, List<Problem> problems) {
    TreeMap<String, Entry> map = new TreeMap<>();
    for (Entry e : entries) {
      map.put(e.path(), e);
    }
    return new Snapshot(map, problems);
  }

  public static Snapshot of(Collection<Entry> entries) {
    return of(entries, List.of());
  }

  public static Snapshot empty() {
    return new Snapshot(new TreeMap<>(), List.of());
  }

  public Entry get(String path) {
    return entries.get(path);
  }

  public boolean contains(String path) {
    return entries.containsKey(path);
  }

  public Collection<Entry> entries() {
    return entries.values();
  }

  public NavigableMap<String, Entry> asMap() {
    return entries;
  }

  public List<Problem> problems() {
    return problems;
  }

  public int size() {
    return entries.size();
  }

  /** Total bytes of all regular files. */
  public long totalFileBytes() {
    long total = 0;
    for (Entry e : entries.values()) {
      if (e.isFile()) {
        total += e.size();
      }
    }
    return total;
  }
}
