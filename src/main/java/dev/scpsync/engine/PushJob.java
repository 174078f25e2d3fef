package dev.scpsync.engine;

import dev.scpsync.plan.Plan;
import dev.scpsync.plan.PlanOptions;
import dev.scpsync.plan.Planner;
import dev.scpsync.scan.LocalScanner;
import dev.scpsync.transport.Remote;
import dev.scpsync.transport.RemoteListing;
import dev.scpsync.transport.RemoteOpener;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.TempNames;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import dev.scpsync.tree.Snapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A one-shot mirror of a local tree to a remote one: scan both sides, plan, carry the plan out.
 * The contents of the source directory end up in the target directory (like {@code rsync -a
 * src/ dest}).
 */
public final class PushJob {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PushJob.class);
  private final SshConnector connector;

  public PushJob(SshConnector connector) {
    this.connector = connector;
  }

  /**
   * Runs the push.
   *
   * @throws IOException when the source cannot be read, the target cannot be reached, or the
   *     remote root is not a directory; per-path failures are in the result instead
   */
  public SyncResult run(Path source, TargetSpec target, SyncOptions options, SyncListener listener) throws IOException {
    long start = System.nanoTime();
    Path root = source.toAbsolutePath().normalize();
    Snapshot local = new LocalScanner(options.excludes()).scan(root);
    log.debug("scanned {} entries in {} ms", local.size(), (System.nanoTime() - start) / 1_000_000);
    try (Remote remote = RemoteOpener.open(connector, target, options.protocol())) {
      log.debug("connected after {} ms", (System.nanoTime() - start) / 1_000_000);
      listener.connected(remote.describe(), remote.protocol().name().toLowerCase());
      RemoteListing listing = remote.list();
      log.debug("listed {} remote entries after {} ms", listing.tree().size(), (System.nanoTime() - start) / 1_000_000);
      Snapshot remoteTree = withoutOurTempFiles(listing.tree());
      PlanOptions planOptions = new PlanOptions(options.delete(), remote.supportsSymlinks(), options.excludes()::excludesWithAncestors);
      Plan plan = Planner.plan(local, remoteTree, planOptions);
      listener.planned(plan);
      List<Problem> problems = new ArrayList<>(local.problems());
      problems.addAll(listing.tree().problems());
      problems.addAll(plan.skipped());
      problems.forEach(listener::problem);
      if (options.dryRun()) {
        return new SyncResult(plan, remote.protocol(), true, 0, 0, 0, 0, 0, 0, problems, Duration.ofNanos(System.nanoTime() - start));
      }
      if (!listing.rootExists()) {
        remote.createRoot();
      }
      PlanExecutor executor = new PlanExecutor(new RemoteDestination(remote, root), listener);
      executor.execute(plan);
      log.debug("plan carried out after {} ms", (System.nanoTime() - start) / 1_000_000);
      problems.addAll(executor.problems());
      return new SyncResult(plan, remote.protocol(), false, executor.files(), executor.bytes(), executor.directories(),
          executor.symlinks(), executor.attributes(), executor.deleted(), problems, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** Temp files left by a killed run are neither content nor something to delete mid-flight. */
  static Snapshot withoutOurTempFiles(Snapshot tree) {
    List<Entry> kept = new ArrayList<>(tree.size());
    for (Entry e : tree.entries()) {
      if (!(e.isFile() && TempNames.isTemp(e.name()))) {
        kept.add(e);
      }
    }
    return kept.size() == tree.size() ? tree : Snapshot.of(kept, tree.problems());
  }
}
