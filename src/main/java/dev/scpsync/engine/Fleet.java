package dev.scpsync.engine;

import dev.scpsync.state.StateStore;
import dev.scpsync.state.TargetState;
import dev.scpsync.transport.Remote;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The running pipelines of a watch, each on its own thread with its own state: started together
 * at first, then added and removed one by one when the config is reloaded. Thread-safe; the
 * watcher's thread reads {@link #pipelines} while the watch's thread changes the set.
 */
final class Fleet {
  private record Running(TargetPipeline pipeline, Thread thread, TargetState state) {}

  private final StateStore store;
  private final Runnable allFailed;
  private final List<Running> running = new CopyOnWriteArrayList<>();

  /** @param allFailed called (from a pipeline's thread) when every running pipeline has failed for good */
  Fleet(StateStore store, Runnable allFailed) {
    this.store = store;
    this.allFailed = allFailed;
  }

  /** The pipelines now running, in the order they were added. */
  List<TargetPipeline> pipelines() {
    return running.stream().map(Running::pipeline).toList();
  }

  /** The name of the running target whose state holds {@code path}, or null. */
  String holder(String path) {
    for (Running r : running) {
      if (r.state().get(path).isPresent()) {
        return r.pipeline().name();
      }
    }
    return null;
  }

  /**
   * Connects every pipeline (in parallel) and starts them; when any connection fails, closes the
   * others, starts none and throws the first failure.
   */
  void startAll(List<TargetPipeline> pipelines) throws IOException {
    List<Remote> remotes = connectAll(pipelines);
    for (int i = 0; i < pipelines.size(); i++) {
      start(pipelines.get(i), remotes.get(i));
    }
  }

  /** Connects and starts one more pipeline; a failure is thrown and nothing is started. */
  void add(TargetPipeline pipeline) throws IOException {
    start(pipeline, pipeline.connect());
  }

  /** Stops the named pipeline after its batch in progress and waits for it. */
  void remove(String name) {
    for (Running r : running) {
      if (r.pipeline().name().equals(name)) {
        r.pipeline().stop();
        join(r.thread());
        running.remove(r);
      }
    }
  }

  /** Stops every pipeline after its batch in progress and waits for all. */
  void stopAll() {
    running.forEach(r -> r.pipeline().stop());
    running.forEach(r -> join(r.thread()));
  }

  private void start(TargetPipeline p, Remote remote) {
    TargetState state = store.target(remote.describe());
    Thread t = Thread.ofPlatform().name("target-" + p.name()).unstarted(() -> {
      try {
        p.run(remote, state);
      } finally {
        if (running.stream().allMatch(q -> q.pipeline().failure() != null)) {
          allFailed.run(); // nothing left to sync to
        }
      }
    });
    running.add(new Running(p, t, state));
    t.start();
  }

  private static List<Remote> connectAll(List<TargetPipeline> all) throws IOException {
    if (all.size() == 1) {
      return List.of(all.getFirst().connect());
    }
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Remote>> futures = all.stream().map(p -> pool.submit(p::connect)).toList();
      List<Remote> opened = new ArrayList<>();
      IOException first = null;
      for (Future<Remote> f : futures) {
        try {
          opened.add(f.get());
        } catch (ExecutionException e) {
          IOException cause = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
          first = first == null ? cause : first;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          first = first == null ? new IOException("interrupted while connecting") : first;
        }
      }
      if (first != null) {
        for (Remote r : opened) {
          try {
            r.close();
          } catch (IOException e) {
            first.addSuppressed(e);
          }
        }
        throw first;
      }
      return opened;
    }
  }

  private static void join(Thread t) {
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        // A second stop request: the batch in progress still finishes, so the state stays whole.
      }
    }
  }
}
