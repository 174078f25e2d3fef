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
  private record Running(TargetPipeline pipeline, Thread thread) {}

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
      TargetState state = r.pipeline().state();
      if (state != null && state.get(path).isPresent()) {
        return r.pipeline().name();
      }
    }
    return null;
  }

  /**
   * Connects every pipeline (in parallel) and starts them. A target that cannot be reached for a
   * reason that may pass (refused, timed out, unknown host) starts offline and keeps retrying,
   * like one that goes down later. Throws, starting none, when a target refuses us for good (host
   * key, authentication: a person must act) or when no target at all can be reached.
   */
  void startAll(List<TargetPipeline> pipelines) throws IOException {
    List<Attempt> attempts = connectAll(pipelines);
    IOException permanent = attempts.stream().map(Attempt::failure)
        .filter(f -> f != null && TargetPipeline.isPermanent(f)).findFirst().orElse(null);
    boolean none = attempts.stream().allMatch(a -> a.remote() == null);
    if (permanent != null || none) {
      IOException first = permanent != null ? permanent : attempts.getFirst().failure();
      for (Attempt a : attempts) {
        closeQuietly(a.remote(), first);
      }
      throw first;
    }
    // Every reachable target's state is known before any pipeline runs: a balance placement asks
    // all of them who already holds a file, and must not miss one that is merely slower to start.
    for (int i = 0; i < pipelines.size(); i++) {
      Remote remote = attempts.get(i).remote();
      if (remote != null) {
        pipelines.get(i).useState(store.target(remote.describe()));
      }
    }
    for (int i = 0; i < pipelines.size(); i++) {
      start(pipelines.get(i), attempts.get(i).remote(), attempts.get(i).failure());
    }
  }

  /**
   * Connects and starts one more pipeline (a reload added it). Down for now: it starts offline
   * and retries; refused for good: thrown, nothing started.
   */
  void add(TargetPipeline pipeline) throws IOException {
    try {
      Remote remote = pipeline.connect();
      pipeline.useState(store.target(remote.describe()));
      start(pipeline, remote, null);
    } catch (IOException e) {
      if (TargetPipeline.isPermanent(e)) {
        throw e;
      }
      start(pipeline, null, e);
    }
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

  private void start(TargetPipeline p, Remote remote, IOException failure) {
    Thread t = Thread.ofPlatform().name("target-" + p.name()).unstarted(() -> {
      try {
        p.run(remote, failure, r -> store.target(r.describe()));
      } finally {
        if (running.stream().allMatch(q -> q.pipeline().failure() != null)) {
          allFailed.run(); // nothing left to sync to
        }
      }
    });
    running.add(new Running(p, t));
    t.start();
  }

  /** A first connection: a remote, or why there is none. */
  private record Attempt(Remote remote, IOException failure) {}

  private static List<Attempt> connectAll(List<TargetPipeline> all) {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Remote>> futures = all.stream().map(p -> pool.submit(p::connect)).toList();
      List<Attempt> attempts = new ArrayList<>();
      for (Future<Remote> f : futures) {
        try {
          attempts.add(new Attempt(f.get(), null));
        } catch (ExecutionException e) {
          attempts.add(new Attempt(null, e.getCause() instanceof IOException io ? io : new IOException(e.getCause())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          attempts.add(new Attempt(null, new IOException("interrupted while connecting")));
        }
      }
      return attempts;
    }
  }

  private static void closeQuietly(Remote remote, IOException into) {
    if (remote != null) {
      try {
        remote.close();
      } catch (IOException e) {
        into.addSuppressed(e);
      }
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
