package dev.scpsync.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A writer that keeps changing a source tree at a steady pace, one numbered change at a time, and
 * an observer that notes when each change shows up in each of several copies of the tree (the
 * targets' directories, which tests read directly on disk since every server runs here).
 *
 * <p>Change {@code k} writes {@code "change k"} as the first line of one small file: mostly a new
 * file (a new directory now and then), every third change an edit in place of one of a few files
 * edited over and over. A copy holds change {@code k} once that file there holds change {@code k}
 * or a later one: a later edit of the same file may overtake an earlier one, as coalescing does.
 * An arrival is the first look that saw it; the observer looks every {@value #LOOK_EVERY_MS} ms.
 */
final class ChangeStream implements AutoCloseable {
  private static final int CAPACITY = 10_000;
  private static final int HOT_FILES = 5;
  private static final int CHANGES_PER_DIRECTORY = 60;
  private static final long LOOK_EVERY_MS = 5;

  /**
   * One change: its number, the file it wrote (relative to the tree), and {@link System#nanoTime}
   * when the write began and when it returned.
   */
  record Change(int index, String path, long started, long written) {}

  private final Path source;
  private final List<Path> copies;
  private final AtomicReferenceArray<Change> changes = new AtomicReferenceArray<>(CAPACITY);
  private final AtomicInteger count = new AtomicInteger();
  /** Per copy, per change: nanoTime of the look that first saw it there, 0 until then. */
  private final List<AtomicLongArray> arrivals = new ArrayList<>();
  /** Per copy, per file: the changes not seen there yet, oldest first. The observer's own. */
  private final List<Map<String, Deque<Integer>>> outstanding = new ArrayList<>();
  private int known;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "change-writer"));
  private final ScheduledExecutorService observer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "change-observer"));

  private ChangeStream(Path source, List<Path> copies) {
    this.source = source;
    this.copies = List.copyOf(copies);
    for (int i = 0; i < copies.size(); i++) {
      arrivals.add(new AtomicLongArray(CAPACITY));
      outstanding.add(new HashMap<>());
    }
  }

  /** The files the stream edits, there before it starts, so that the initial sync carries them. */
  static void seed(Path source) throws IOException {
    for (int i = 0; i < HOT_FILES; i++) {
      Files.writeString(Files.createDirectories(source.resolve("hot")).resolve("h-" + i + ".txt"), "seed\n");
    }
  }

  /** Starts writing one change every {@code pace} into {@code source}, and watching {@code copies}. */
  static ChangeStream start(Path source, Duration pace, List<Path> copies) {
    ChangeStream stream = new ChangeStream(source, copies);
    stream.writer.scheduleAtFixedRate(stream.guarded(stream::writeNext), 0, pace.toNanos(), TimeUnit.NANOSECONDS);
    stream.observer.scheduleWithFixedDelay(stream.guarded(stream::look), 0, LOOK_EVERY_MS, TimeUnit.MILLISECONDS);
    return stream;
  }

  /** The changes written so far, in order. */
  List<Change> changes() {
    rethrowFailure();
    int n = count.get();
    List<Change> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      all.add(changes.get(i));
    }
    return all;
  }

  /** When copy {@code copy} was first seen holding {@code change}; 0 while it does not. */
  long arrival(int copy, Change change) {
    rethrowFailure();
    return arrivals.get(copy).get(change.index());
  }

  /** Whether copy {@code copy} was seen holding every one of {@code these}. */
  boolean holdsAll(int copy, Collection<Change> these) {
    return these.stream().allMatch(c -> arrival(copy, c) != 0);
  }

  /** Whether copy {@code copy} was seen holding any of {@code these}. */
  boolean holdsAny(int copy, Collection<Change> these) {
    return these.stream().anyMatch(c -> arrival(copy, c) != 0);
  }

  /** Stops the writer and returns once its last write is done; the observer keeps looking. */
  void stopWriting() throws InterruptedException {
    writer.shutdown();
    if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the writer did not stop");
    }
    rethrowFailure();
  }

  private void writeNext() throws IOException {
    int k = count.get();
    if (k == CAPACITY) {
      throw new IllegalStateException("the stream is full: " + CAPACITY + " changes");
    }
    String path = k % 3 == 2
        ? "hot/h-" + (k / 3) % HOT_FILES + ".txt"
        : "new/d-" + k / CHANGES_PER_DIRECTORY + "/f-" + k + ".txt";
    String content = "change " + k + "\n" + "x".repeat(200 + (k * 37) % 1800) + "\n";
    long started = System.nanoTime();
    Path file = source.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content); // an edit truncates and rewrites in place, as most programs do
    changes.set(k, new Change(k, path, started, System.nanoTime()));
    count.set(k + 1);
  }

  private void look() {
    for (int n = count.get(); known < n; known++) {
      Change c = changes.get(known);
      outstanding.forEach(files -> files.computeIfAbsent(c.path(), p -> new ArrayDeque<>()).add(c.index()));
    }
    for (int copy = 0; copy < copies.size(); copy++) {
      for (Iterator<Map.Entry<String, Deque<Integer>>> it = outstanding.get(copy).entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, Deque<Integer>> file = it.next();
        int holds = changeIn(copies.get(copy).resolve(file.getKey()));
        long now = System.nanoTime();
        Deque<Integer> waiting = file.getValue();
        while (!waiting.isEmpty() && waiting.peekFirst() <= holds) {
          arrivals.get(copy).set(waiting.pollFirst(), now);
        }
        if (waiting.isEmpty()) {
          it.remove();
        }
      }
    }
  }

  /** The number of the change a file holds; -1 when it is missing, or empty (an edit in progress). */
  private static int changeIn(Path file) {
    // exists() first: it answers a missing file without an exception, and most lookups at a
    // target that is down are for missing files.
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return -1;
    }
    try {
      String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      int eol = text.indexOf('\n');
      return text.startsWith("change ") && eol > 0 ? Integer.parseInt(text.substring(7, eol)) : -1;
    } catch (IOException gone) {
      return -1;
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  /** A scheduled step whose failure is kept for the test (an executor would drop it silently). */
  private Runnable guarded(Step step) {
    return () -> {
      try {
        step.run();
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
        throw new IllegalStateException(t);
      }
    };
  }

  private void rethrowFailure() {
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("the change stream failed: " + t, t);
    }
  }

  @Override
  public void close() {
    writer.shutdownNow();
    observer.shutdownNow();
    try {
      writer.awaitTermination(10, TimeUnit.SECONDS);
      observer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
