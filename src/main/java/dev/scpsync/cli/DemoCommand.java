package dev.scpsync.cli;

import dev.scpsync.engine.PullJob;
import dev.scpsync.engine.PushJob;
import dev.scpsync.engine.SyncOptions;
import dev.scpsync.engine.SyncResult;
import dev.scpsync.receiver.Receiver;
import dev.scpsync.receiver.ReceiverConfig;
import dev.scpsync.scan.ExcludeRules;
import dev.scpsync.scan.LocalScanner;
import dev.scpsync.transport.Protocol;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.transport.ssh.SshOptions;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Snapshot;
import dev.scpsync.engine.TargetStatus;
import dev.scpsync.engine.WatchJob;
import dev.scpsync.watch.WatchOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scpsync demo}: the whole product on one machine with nothing but a JDK. Starts the
 * embedded receiver on a free loopback port with generated keys in a temp dir, pushes a sample
 * tree, changes a few files and pushes again (only those move), pulls it back, and compares. Then
 * it goes live: watch mode with the dashboard, making a small change every two seconds.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a self-contained demonstration against an embedded receiver on loopback.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--keep", description = "Keep the demo's temp directory (printed) instead of deleting it.")
  boolean keep;

  @Option(names = "--duration", paramLabel = "DURATION", converter = WatchCommand.DurationConverter.class,
      description = "How long the live part runs (e.g. 30s, 5m); default: until Ctrl-C on a terminal, 10s otherwise.")
  Duration duration;

  @Option(names = "--http", paramLabel = "ADDR:PORT", defaultValue = HttpFlags.DEFAULT,
      description = "Where the live part serves its dashboard (default: ${DEFAULT-VALUE}; a free port if that one is taken).")
  String http;

  @Option(names = "--no-http", description = "No dashboard.")
  boolean noHttp;

  /** Used by the launcher to record a JVM AOT cache: more data, so the hot paths get profiled. */
  @Option(names = "--train", hidden = true)
  boolean train;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    quietReceiverLog();
    Path work = Files.createTempDirectory("scpsync-demo-");
    try {
      return run(work, out);
    } finally {
      if (keep) {
        out.println("demo files kept in " + work);
      } else {
        deleteTree(work);
      }
    }
  }

  private int run(Path work, PrintWriter out) throws Exception {
    Path remoteRoot = Files.createDirectories(work.resolve("receiver-root"));
    Path local = Files.createDirectories(work.resolve("site"));
    Path keyFile = work.resolve("demo_ed25519");
    KeyPair userKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    try (OutputStream o = Files.newOutputStream(keyFile)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(userKey, "scpsync-demo", null, o);
    }
    Path authorized = work.resolve("authorized_keys");
    Files.writeString(authorized, PublicKeyEntry.appendPublicKeyEntry(new StringBuilder(), userKey.getPublic()) + " scpsync-demo\n");

    step(out, "1. Starting the embedded receiver (scpsync serve) on loopback with generated keys");
    try (Receiver receiver = new Receiver(new ReceiverConfig(remoteRoot, "127.0.0.1", 0, authorized, work.resolve("host_ed25519")))) {
      receiver.start();
      out.printf("   listening on 127.0.0.1:%d, host key %s%n", receiver.port(), receiver.hostKeyFingerprint());
      Path knownHosts = work.resolve("known_hosts");
      Files.writeString(knownHosts, "[127.0.0.1]:" + receiver.port() + " "
          + PublicKeyEntry.appendPublicKeyEntry(new StringBuilder(), receiver.hostPublicKey()) + "\n");
      SshOptions ssh = SshOptions.defaults().withKnownHosts(List.of(knownHosts)).withIdentities(List.of(keyFile))
          .withAgent(false).withSshConfig(null);
      TargetSpec target = TargetSpec.parse("demo@127.0.0.1:" + receiver.port() + ":/www");

      step(out, "2. Creating a sample site: pages, styles, a 2 MiB image, a symlink, an empty directory");
      int files = makeSampleTree(local);
      if (train) {
        files += makeTrainingData(local);
      }
      out.printf("   %d files in %s%n", files, local);

      try (SshConnector connector = new SshConnector(ssh)) {
        SyncOptions mirror = new SyncOptions(true, false, ExcludeRules.of(List.of("*.tmp")), Protocol.AUTO,
            work.resolve("state"), false, dev.scpsync.plan.SafetyOptions.defaults(), false);
        step(out, "3. First push: everything is new");
        SyncResult first = new PushJob(connector).run(local, target, mirror, new ProgressDisplay(out, false));
        out.println("   " + SyncReport.summary("push", target.display(), first));

        step(out, "4. Second push with no changes: nothing moves");
        SyncResult idle = new PushJob(connector).run(local, target, mirror, new ProgressDisplay(out, false));
        out.println("   " + SyncReport.summary("push", target.display(), idle));

        step(out, "5. Editing index.html, adding news.html, deleting docs/page-03.md, then pushing again");
        Files.writeString(local.resolve("index.html"), "<h1>Hello again</h1>\n");
        Files.setLastModifiedTime(local.resolve("index.html"), FileTime.from(Instant.now().plus(2, ChronoUnit.SECONDS)));
        Files.writeString(local.resolve("news.html"), "<p>scpsync moved only what changed.</p>\n");
        Files.delete(local.resolve("docs/page-03.md"));
        SyncResult delta = new PushJob(connector).run(local, target, mirror, new ProgressDisplay(out, false));
        out.println("   " + SyncReport.summary("push", target.display(), delta));
        for (Entry e : delta.plan().files()) {
          out.println("     sent    " + e.path());
        }
        for (Entry e : delta.plan().deletes()) {
          out.println("     deleted " + e.path());
        }

        step(out, "6. Pulling the remote tree back into a fresh directory");
        Path back = work.resolve("pulled");
        SyncResult pulled = new PullJob(connector).run(target, back, SyncOptions.defaults(), new ProgressDisplay(out, false));
        out.println("   " + SyncReport.summary("pull", target.display(), pulled));

        step(out, "7. Comparing local, remote and pulled trees (paths, types, sizes, modes, mtimes, content)");
        boolean remoteSame = sameTree(local, remoteRoot.resolve("www"));
        boolean pulledSame = sameTree(local, back);
        out.println("   remote matches local: " + (remoteSame ? "yes" : "NO"));
        out.println("   pulled matches local: " + (pulledSame ? "yes" : "NO"));
        boolean ok = first.matches() && idle.matches() && idle.filesTransferred() == 0 && delta.matches()
            && delta.filesTransferred() == 2 && pulled.matches() && remoteSame && pulledSame;
        if (ok) {
          ok = live(out, connector, local, target, mirror, remoteRoot.resolve("www"));
        }
        out.println(ok ? "demo finished: all in sync" : "demo FAILED: see above");
        return ok ? ExitCodes.OK : ExitCodes.FAILED;
      }
    }
  }

  /**
   * Step 8: watch mode with the dashboard, and a small change every two seconds so the page moves,
   * until the duration ends or Ctrl-C; then waits for the target to catch up and compares again.
   */
  private boolean live(PrintWriter out, SshConnector connector, Path local, TargetSpec target, SyncOptions options,
      Path remote) throws Exception {
    Duration runFor = duration != null ? duration : train ? Duration.ofSeconds(3)
        : ProgressDisplay.stderrIsTerminal() ? null : Duration.ofSeconds(10);
    step(out, "8. Live: watching " + local.getFileName() + "/ and sending every change over the open session"
        + (runFor == null ? " (Ctrl-C to stop)" : " for " + runFor.toSeconds() + " s"));
    WatchJob job = new WatchJob(connector).verifyEvery(Duration.ZERO);
    WatchPrinter printer = new WatchPrinter(out, spec.commandLine().getErr(), false, false, true);
    CountDownLatch interrupted = new CountDownLatch(1);
    try (LiveMonitor monitor = new LiveMonitor(job, dashboardAddress(), false, null, local.toString(), printer);
        Signals signals = Signals.onInterrupt((name, count) -> {
          if (count == 1) {
            interrupted.countDown();
          } else {
            Runtime.getRuntime().halt(128 + (name.equals("INT") ? 2 : 15));
          }
        })) {
      if (monitor.url() != null) {
        out.println("   dashboard: " + monitor.url());
      }
      out.flush();
      Exception[] failed = {null};
      Thread watch = Thread.ofPlatform().name("demo-watch").start(() -> {
        try {
          job.run(local, List.of(target), options, WatchOptions.defaults(), printer);
        } catch (Exception e) {
          failed[0] = e;
        }
      });
      long deadline = runFor == null ? Long.MAX_VALUE : System.nanoTime() + runFor.toNanos();
      for (int i = 1; System.nanoTime() < deadline && watch.isAlive(); i++) {
        long left = Math.min(2_000_000_000L, deadline - System.nanoTime());
        if (interrupted.await(Math.max(0, left), TimeUnit.NANOSECONDS) || System.nanoTime() >= deadline) {
          break;
        }
        change(local, i);
      }
      boolean same = awaitSameTree(job, local, remote, Duration.ofSeconds(20));
      job.stop();
      watch.join();
      if (failed[0] != null) {
        out.println("   the watch failed: " + ErrorReporter.oneLine(failed[0]));
        return false;
      }
      out.println("   remote matches local after the live changes: " + (same ? "yes" : "NO"));
      return same;
    }
  }

  private InetSocketAddress dashboardAddress() {
    if (noHttp) {
      return null;
    }
    int colon = http.lastIndexOf(':');
    try {
      return new InetSocketAddress(InetAddress.getByName(http.substring(0, colon)), Integer.parseInt(http.substring(colon + 1)));
    } catch (IOException | RuntimeException e) {
      throw new ErrorReporter.UsageException("--http takes ADDR:PORT on this machine, not '" + http + "'");
    }
  }

  /** One small change: edit the front page, add a news item, remove an old one, or move a page. */
  private static void change(Path local, int i) throws IOException {
    switch (i % 4) {
      case 1 -> Files.writeString(local.resolve("index.html"), "<h1>Hello, change " + i + "</h1>\n");
      case 2 -> Files.writeString(local.resolve("news-" + i + ".html"), "<p>news " + i + "</p>\n");
      case 3 -> Files.deleteIfExists(local.resolve("news-" + (i - 1) + ".html"));
      default -> {
        Path from = local.resolve(String.format("docs/page-%02d.md", 1 + (i / 4 - 1) % 20));
        if (Files.exists(from)) {
          Files.createDirectories(local.resolve("archive"));
          Files.move(from, local.resolve("archive").resolve(from.getFileName()));
        }
      }
    }
  }

  /**
   * Waits for the target to catch up with the last change: in sync with nothing pending, and the
   * remote tree equal to the local one (the last change may still be in its debounce window when
   * the status first says in sync).
   */
  private static boolean awaitSameTree(WatchJob job, Path local, Path remote, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      boolean idle = job.status().stream().allMatch(t -> t.health() == TargetStatus.Health.IN_SYNC
          && t.pending() == 0 && t.inFlight() == 0);
      if (idle && sameTree(local, remote)) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** The demo narrates itself; the receiver's per-session audit lines would only interleave. */
  private static void quietReceiverLog() {
    for (String name : List.of("dev.scpsync.receiver", "scpsync.audit")) {
      if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logback) {
        logback.setLevel(ch.qos.logback.classic.Level.WARN);
      }
    }
  }

  private static void step(PrintWriter out, String text) {
    out.println();
    out.println(text);
    out.flush();
  }

  private static int makeSampleTree(Path root) throws IOException {
    Random random = new Random(42);
    Files.writeString(root.resolve("index.html"), "<h1>Hello</h1>\n");
    Files.createDirectories(root.resolve("css"));
    Files.writeString(root.resolve("css/site.css"), "body { font-family: sans-serif; }\n");
    Files.createDirectories(root.resolve("img"));
    byte[] image = new byte[2 * 1024 * 1024];
    random.nextBytes(image);
    Files.write(root.resolve("img/hero.bin"), image);
    Files.createDirectories(root.resolve("docs"));
    for (int i = 1; i <= 20; i++) {
      Files.writeString(root.resolve(String.format("docs/page-%02d.md", i)), "# Page " + i + "\n" + "text ".repeat(50 * i) + "\n");
    }
    Files.createDirectories(root.resolve("uploads/empty"));
    Files.writeString(root.resolve("scratch.tmp"), "excluded from the sync\n");
    Files.createSymbolicLink(root.resolve("home.html"), Path.of("index.html"));
    Instant base = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    List<Path> regular;
    try (var walk = Files.walk(root)) {
      regular = walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
    }
    for (Path p : regular) {
      Files.setLastModifiedTime(p, FileTime.from(base));
    }
    return regular.size();
  }

  private static int makeTrainingData(Path root) throws IOException {
    Random random = new Random(1);
    byte[] block = new byte[1024 * 1024];
    Files.createDirectories(root.resolve("train"));
    try (OutputStream o = Files.newOutputStream(root.resolve("train/large.bin"))) {
      for (int i = 0; i < 48; i++) {
        random.nextBytes(block);
        o.write(block);
      }
    }
    byte[] small = new byte[4096];
    for (int i = 0; i < 600; i++) {
      Path dir = Files.createDirectories(root.resolve("train/d" + (i % 20)));
      random.nextBytes(small);
      Files.write(dir.resolve("f" + i + ".dat"), small);
    }
    return 601;
  }

  /** Whether two local trees hold the same paths, types, sizes, modes, mtimes (seconds) and bytes. */
  static boolean sameTree(Path a, Path b) throws IOException {
    ExcludeRules excludes = ExcludeRules.of(List.of("*.tmp"));
    Snapshot left = new LocalScanner(excludes).scan(a);
    Snapshot right = new LocalScanner(excludes).scan(b);
    if (!left.asMap().keySet().equals(right.asMap().keySet())) {
      return false;
    }
    for (Entry l : left.entries()) {
      Entry r = right.get(l.path());
      if (l.type() != r.type() || l.size() != r.size() || (!l.isSymlink() && l.mode() != r.mode())) {
        return false;
      }
      if (l.isFile() && (l.mtime().getEpochSecond() != r.mtime().getEpochSecond()
          || Files.mismatch(a.resolve(l.path()), b.resolve(l.path())) != -1)) {
        return false;
      }
      if (l.isSymlink() && !l.linkTarget().equals(r.linkTarget())) {
        return false;
      }
    }
    return true;
  }

  private static void deleteTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
