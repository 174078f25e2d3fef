package dev.scpsync.engine;

import dev.scpsync.plan.Plan;
import dev.scpsync.plan.PlanOptions;
import dev.scpsync.plan.Planner;
import dev.scpsync.scan.LocalScanner;
import dev.scpsync.transport.Remote;
import dev.scpsync.transport.RemoteListing;
import dev.scpsync.transport.RemoteOpener;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import dev.scpsync.tree.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A one-shot mirror of a remote tree into a local directory, the mirror image of {@link
 * PushJob}. Everything a server sends is checked to stay inside the destination.
 */
public final class PullJob {
  private final SshConnector connector;

  public PullJob(SshConnector connector) {
    this.connector = connector;
  }

  public SyncResult run(TargetSpec source, Path destination, SyncOptions options, SyncListener listener) throws IOException {
    long start = System.nanoTime();
    Path root = destination.toAbsolutePath().normalize();
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw new IOException("destination " + root + " exists and is not a directory");
    }
    try (Remote remote = RemoteOpener.open(connector, source, options.protocol(), options.parallel())) {
      listener.connected(remote.describe(), remote.protocol().name().toLowerCase());
      RemoteListing listing = remote.list();
      if (!listing.rootExists()) {
        throw new NoSuchFileException(remote.describe(), null, "no such remote directory");
      }
      List<Entry> wanted = new ArrayList<>();
      for (Entry e : PushJob.withoutOurTempFiles(listing.tree()).entries()) {
        if (!options.excludes().excludesWithAncestors(e)) {
          wanted.add(e);
        }
      }
      Snapshot remoteTree = Snapshot.of(wanted, listing.tree().problems());
      Snapshot local = Files.isDirectory(root) ? new LocalScanner(dev.scpsync.scan.ExcludeRules.none()).scan(root) : Snapshot.empty();
      Plan plan = Planner.plan(remoteTree, local, new PlanOptions(options.delete(), true, options.excludes()::excludesWithAncestors));
      listener.planned(plan);
      List<Problem> problems = new ArrayList<>(remoteTree.problems());
      problems.addAll(plan.skipped());
      problems.forEach(listener::problem);
      if (options.dryRun()) {
        return new SyncResult(plan, remote.protocol(), true, 0, 0, 0, 0, 0, 0, problems, Duration.ofNanos(System.nanoTime() - start));
      }
      Files.createDirectories(root);
      PlanExecutor executor = new PlanExecutor(new LocalDestination(root, remote, options.bwlimit()), listener);
      executor.execute(plan);
      problems.addAll(executor.problems());
      return new SyncResult(plan, remote.protocol(), false, executor.files(), executor.bytes(), executor.directories(),
          executor.symlinks(), executor.attributes(), executor.deleted(), problems, Duration.ofNanos(System.nanoTime() - start));
    }
  }
}
