package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.scpsync.state.StateStore;
import dev.scpsync.state.Transfer;
import dev.scpsync.testing.CuttingProxy;
import dev.scpsync.testing.LogCapture;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import dev.scpsync.transport.TempNames;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Large files over links that break: real OpenSSH servers (with SFTP, and SCP-only) behind a
 * {@link CuttingProxy} that drops the connection after a number of bytes, and a push killed with
 * SIGKILL. Each interrupted push is followed by a plain re-run, which must resume from the last
 * confirmed chunk: the proxy's byte counter says how much was sent twice.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ChunkedResumeTest {
  private static final long CHUNK = 8L << 20;
  /** What one cut may cost beyond the unconfirmed rest of a chunk: the SFTP write window (16 × 255 KiB). */
  private static final long WINDOW = 16 * 255 * 1024;
  /** Per connection: key exchange, authentication, listing, journal checks, SSH and SFTP framing. */
  private static final long OVERHEAD = 1L << 20;
  private static final Instant OLD = Instant.parse("2024-05-01T10:00:00Z");
  private static final int SIGKILLED = 128 + 9;

  @TempDir static Path shared;
  private static TestServer sftp;
  private static TestServer scpOnly;

  @TempDir Path tmp;
  private CuttingProxy proxy;
  private Process child;
  private LogCapture log;

  @BeforeAll
  static void startServers() throws Exception {
    sftp = TestServer.start(ServerKind.OPENSSH_SFTP, shared.resolve("sftp"));
    scpOnly = TestServer.start(ServerKind.OPENSSH_SCP_ONLY, shared.resolve("scp"));
  }

  @AfterAll
  static void stopServers() throws IOException {
    for (TestServer s : new TestServer[] {sftp, scpOnly}) {
      if (s != null) {
        s.close();
      }
    }
  }

  @BeforeEach
  void captureTransportLog() {
    log = LogCapture.of("dev.scpsync.transport", Level.INFO);
  }

  @AfterEach
  void cleanUp() throws IOException, InterruptedException {
    log.close();
    if (child != null) {
      child.destroyForcibly();
      child.waitFor();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  static TestServer server(ServerKind kind) {
    return kind == ServerKind.OPENSSH_SFTP ? sftp : scpOnly;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"OPENSSH_SFTP", "OPENSSH_SCP_ONLY"})
  void anUploadCutFiveTimesArrivesIntactAndEachCutCostsAtMostAChunkAndTheWindow(ServerKind kind) throws Exception {
    TestServer server = server(kind);
    long size = kind == ServerKind.OPENSSH_SFTP ? 512L << 20 : 128L << 20;
    Path src = source(size, 1);
    Path dest = tmp.resolve("dest");
    List<String> push = pushThroughProxy(server, src, dest);
    Path big = src.resolve("big.bin");

    PartialContentObserver observer = PartialContentObserver.watch(dest.resolve("big.bin"), size);
    long confirmedBefore = 0;
    long totalSent = 0;
    List<String> perCut = new ArrayList<>();
    try {
      for (int cut = 0; cut < 5; cut++) {
        // Cut points that fall at different places within a chunk.
        long budget = size / 8 + cut * (3L << 20) + 123_457;
        long before = proxy.upstreamBytes();
        proxy.cutAfter(budget);
        CliRun run = CliRun.of(push);
        long sent = proxy.upstreamBytes() - before;
        totalSent += sent;
        assertThat(run.exitCode()).as("cut %d: %s", cut, run).isNotZero();
        assertThat(proxy.cuts()).as("cuts so far").isEqualTo(cut + 1);
        long confirmed = journaled(src).orElseThrow(() -> new AssertionError("no journal row after a cut")).confirmedBytes();
        long progress = confirmed - confirmedBefore;
        long resent = sent - progress;
        perCut.add("cut " + cut + ": sent " + mib(sent) + ", confirmed " + mib(confirmedBefore) + " -> " + mib(confirmed)
            + ", sent again later " + mib(resent));
        assertThat(progress).as("cut %d moved the upload on", cut).isPositive();
        assertThat(resent).as("bytes of cut %d that must be sent again", cut).isLessThanOrEqualTo(CHUNK + WINDOW + OVERHEAD);
        confirmedBefore = confirmed;
      }
      long before = proxy.upstreamBytes();
      CliRun last = CliRun.of(push);
      long sent = proxy.upstreamBytes() - before;
      totalSent += sent;
      perCut.add("final run: sent " + mib(sent) + " for the remaining " + mib(size - confirmedBefore));
      assertThat(last.exitCode()).as(last.toString()).isZero();
      assertThat(last.err()).as("the resume is said").contains("resuming an interrupted upload");
      assertThat(sent).as("the final run sends only what was not confirmed").isLessThanOrEqualTo(size - confirmedBefore + CHUNK + OVERHEAD);
    } finally {
      observer.stop();
    }
    System.out.printf("%s, %s MiB in 8 MiB chunks, 5 cuts:%n  %s%n  total sent %s for %s (%.1f%% extra)%n", kind, size >> 20,
        String.join("\n  ", perCut), mib(totalSent), mib(size), 100.0 * (totalSent - size) / size);
    assertThat(Files.mismatch(big, dest.resolve("big.bin"))).as("final content").isEqualTo(-1L);
    assertThat(observer.violation()).as("what a reader of the final path saw").isNull();
    assertThat(observer.sawFinal()).as("the observer saw the file arrive").isTrue();
    assertThat(Trees.tempFiles(dest)).as("temp files and staging dirs left").isEmpty();
    assertThat(journaled(src)).as("journal after completion").isEmpty();
    assertThat(messages()).anyMatch(m -> m.contains("resuming"));
  }

  @Test
  void overALongLinkALargeFileGoesOverSeveralChannelsAndACutOneResumes() throws Exception {
    long size = 48L << 20;
    Path src = source(size, 5);
    Path dest = tmp.resolve("dest");
    List<String> push = new ArrayList<>(pushThroughProxy(sftp, src, dest));
    push.addAll(List.of("--parallel", "4"));
    proxy.delay(java.time.Duration.ofMillis(15)); // a 30 ms round trip: one channel's window holds it back

    proxy.cutAfter(size / 2);
    CliRun cut = CliRun.of(push);
    assertThat(cut.exitCode()).as(cut.toString()).isNotZero();
    assertThat(messages()).anyMatch(m -> m.matches("big\\.bin: over 4 channels at once \\(round trip \\d+ ms\\)"));
    long confirmed = journaled(src).orElseThrow(() -> new AssertionError("no journal row after the cut")).confirmedBytes();
    assertThat(confirmed).as("chunks confirmed over all channels before the cut").isPositive();

    long before = proxy.upstreamBytes();
    CliRun again = CliRun.of(push);
    long sent = proxy.upstreamBytes() - before;
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(messages()).anyMatch(m -> m.startsWith("big.bin: resuming at byte " + confirmed + " "));
    assertThat(sent).as("the second run sends only what was not confirmed").isLessThanOrEqualTo(size - confirmed + OVERHEAD);
    assertThat(Files.mismatch(src.resolve("big.bin"), dest.resolve("big.bin"))).as("final content").isEqualTo(-1L);
    assertThat(Trees.tempFiles(dest)).isEmpty();
    assertThat(journaled(src)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"OPENSSH_SFTP", "OPENSSH_SCP_ONLY"})
  void aChangedSourceStartsOverAndLeavesNoStalePart(ServerKind kind) throws Exception {
    TestServer server = server(kind);
    long size = 64L << 20;
    Path src = source(size, 2);
    Path dest = tmp.resolve("dest");
    List<String> push = pushThroughProxy(server, src, dest);

    proxy.cutAfter(size / 2);
    assertThat(CliRun.of(push).exitCode()).isNotZero();
    assertThat(journaled(src)).as("journal after the cut").isPresent();
    String staleTemp = journaled(src).orElseThrow().tempName();

    writeRandom(src.resolve("big.bin"), size, 99); // same size, other content, new mtime
    long before = proxy.upstreamBytes();
    CliRun again = CliRun.of(push);
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(proxy.upstreamBytes() - before).as("bytes sent after the change").isGreaterThanOrEqualTo(size);
    assertThat(Files.mismatch(src.resolve("big.bin"), dest.resolve("big.bin"))).isEqualTo(-1L);
    assertThat(Trees.tempFiles(dest)).as("temp files left (the stale part was %s)", staleTemp).isEmpty();
    assertThat(journaled(src)).isEmpty();
    assertThat(messages()).anyMatch(m -> m.contains("starting over") && m.contains("source changed"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"OPENSSH_SFTP", "OPENSSH_SCP_ONLY"})
  void aPushKilledMidTransferResumesFromItsJournal(ServerKind kind) throws Exception {
    TestServer server = server(kind);
    long size = 128L << 20;
    Path src = source(size, 3);
    Path dest = tmp.resolve("dest");
    List<String> push = pushThroughProxy(server, src, dest);

    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(push);
    Path out = tmp.resolve("child.out");
    child = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectErrorStream(true).start();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
        .failFast("the push ended before the kill", () -> assertThat(child.isAlive()).isTrue())
        .until(() -> bytesInFlight(dest) >= size * 2 / 5);
    child.destroyForcibly();
    assertThat(child.waitFor()).as(() -> read(out)).isEqualTo(SIGKILLED);
    awaitSessionsGone(server);

    Transfer row = journaled(src).orElseThrow(() -> new AssertionError("no journal row after the kill:\n" + read(out)));
    long landed = bytesInFlight(dest);
    long confirmed = row.confirmedBytes();
    assertThat(row.chunksConfirmed()).as("chunks confirmed before the kill").isPositive();
    assertThat(landed - confirmed).as("bytes on the remote beyond the journal's last chunk")
        .isLessThanOrEqualTo(CHUNK + WINDOW);

    long before = proxy.upstreamBytes();
    CliRun again = CliRun.of(push);
    long sent = proxy.upstreamBytes() - before;
    System.out.printf("%s: killed with %s on the remote, %s confirmed; the resume sent %s for %s%n", kind, mib(landed),
        mib(confirmed), mib(sent), mib(size));
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(sent).as("the resume sends what was not confirmed (plus one chunk at most)")
        .isLessThanOrEqualTo(size - confirmed + CHUNK + OVERHEAD);
    assertThat(Files.mismatch(src.resolve("big.bin"), dest.resolve("big.bin"))).isEqualTo(-1L);
    assertThat(Trees.tempFiles(dest)).isEmpty();
    assertThat(journaled(src)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"OPENSSH_SFTP", "OPENSSH_SCP_ONLY"})
  void anUploadCutShortBySshdRestartingResumesOnTheNextPush(ServerKind kind) throws Exception {
    try (TestServer own = TestServer.start(kind, tmp.resolve("own-sshd"))) {
      long size = 96L << 20;
      Path src = source(size, 8);
      Path dest = tmp.resolve("dest");
      List<String> push = pushThroughProxy(own, src, dest);
      var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> CliRun.of(push));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
          .failFast("the push ended before the restart", first::isDone)
          .until(() -> bytesInFlight(dest) >= size / 3);
      own.openssh().restart(); // kills every session child, as a crashed or restarted sshd does
      CliRun cut = first.get(60, TimeUnit.SECONDS);
      assertThat(cut.exitCode()).as(cut.toString()).isNotZero();
      long confirmed = journaled(src).orElseThrow().confirmedBytes();
      assertThat(confirmed).as("confirmed before the restart").isPositive();

      long before = proxy.upstreamBytes();
      CliRun again = CliRun.of(push);
      long sent = proxy.upstreamBytes() - before;
      assertThat(again.exitCode()).as(again.toString()).isZero();
      assertThat(sent).as("sent after the restart").isLessThanOrEqualTo(size - confirmed + CHUNK + OVERHEAD);
      assertThat(Files.mismatch(src.resolve("big.bin"), dest.resolve("big.bin"))).isEqualTo(-1L);
      assertThat(Trees.tempFiles(dest)).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"OPENSSH_SFTP", "OPENSSH_SCP_ONLY"})
  void theJournaledPartOfAFileDeletedLocallyIsRemovedByTheNextPush(ServerKind kind) throws Exception {
    long size = 32L << 20;
    Path src = source(size, 7);
    Path dest = tmp.resolve("dest");
    List<String> push = pushThroughProxy(server(kind), src, dest);
    proxy.cutAfter(size / 2);
    assertThat(CliRun.of(push).exitCode()).isNotZero();
    assertThat(Trees.tempFiles(dest)).as("the interrupted upload's part").isNotEmpty();

    Files.delete(src.resolve("big.bin"));
    CliRun again = CliRun.of(push);
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(Trees.tempFiles(dest)).as("parts left").isEmpty();
    assertThat(journaled(src)).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void aPartCorruptedOnTheRemoteIsNotResumedButSentAgainFromZero() throws Exception {
    long size = 64L << 20;
    Path src = source(size, 4);
    Path dest = tmp.resolve("dest");
    List<String> push = pushThroughProxy(sftp, src, dest);
    proxy.cutAfter(size / 2);
    assertThat(CliRun.of(push).exitCode()).isNotZero();
    Transfer row = journaled(src).orElseThrow();
    assertThat(row.chunksConfirmed()).isPositive();
    flipAByte(dest.resolve(row.tempName()), row.confirmedBytes() / 2);

    long before = proxy.upstreamBytes();
    CliRun again = CliRun.of(push);
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(proxy.upstreamBytes() - before).as("sent after the corruption").isGreaterThanOrEqualTo(size);
    assertThat(Files.mismatch(src.resolve("big.bin"), dest.resolve("big.bin"))).isEqualTo(-1L);
    assertThat(messages()).anyMatch(m -> m.contains("starting over") && m.contains("not what was sent"));
  }

  @org.junit.jupiter.api.Test
  void aStagedPartDamagedInPlaceFailsTheEndToEndCheckAndTheFileIsSentOnceMore() throws Exception {
    long size = 40L << 20;
    Path src = source(size, 5);
    Path dest = tmp.resolve("dest");
    List<String> push = pushThroughProxy(scpOnly, src, dest);
    proxy.cutAfter(size / 2);
    assertThat(CliRun.of(push).exitCode()).isNotZero();
    Path staging = dest.resolve(TempNames.stagingFor(journaled(src).orElseThrow().tempName()));
    flipAByte(staging.resolve("part-00000000"), 12345); // same size: only SHA-256 can tell

    CliRun again = CliRun.of(push);
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(Files.mismatch(src.resolve("big.bin"), dest.resolve("big.bin"))).isEqualTo(-1L);
    assertThat(messages()).anyMatch(m -> m.contains("SHA-256 on the remote differs"));
    assertThat(Trees.tempFiles(dest)).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void aRemoteThatCannotHashResumesBySizeAndTheSummarySaysUnverified() throws Exception {
    try (TestServer receiver = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("receiver"))) {
      long size = 48L << 20;
      Path src = source(size, 6);
      TestServer.Location dest = receiver.location(tmp, "dest");
      List<String> push = pushThroughProxy(receiver, src, dest.remotePath());
      proxy.cutAfter(size / 2);
      assertThat(CliRun.of(push).exitCode()).isNotZero();
      long confirmed = journaled(src).orElseThrow().confirmedBytes();

      long before = proxy.upstreamBytes();
      CliRun again = CliRun.of(push);
      long sent = proxy.upstreamBytes() - before;
      assertThat(again.exitCode()).as(again.toString()).isZero();
      assertThat(again.out()).contains("1 large file(s) unverified (size+mtime)");
      assertThat(sent).as("without a remote hash the last confirmed chunk is sent again, no more")
          .isBetween(size - confirmed, size - confirmed + CHUNK + OVERHEAD);
      assertThat(Files.mismatch(src.resolve("big.bin"), dest.onDisk().resolve("big.bin"))).isEqualTo(-1L);
      assertThat(messages()).anyMatch(m -> m.contains("resuming") && m.contains("checked by size"));
    }
  }

  // ---- helpers

  private static void flipAByte(Path file, long position) throws IOException {
    try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
        java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
      channel.read(b, position);
      b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
      channel.write(b, position);
    }
  }

  private List<String> pushThroughProxy(TestServer server, Path src, Path dest) throws IOException {
    return pushThroughProxy(server, src, dest.toString());
  }

  private List<String> pushThroughProxy(TestServer server, Path src, String remotePath) throws IOException {
    proxy = CuttingProxy.to(server.port());
    Path knownHosts = proxy.knownHosts(server.knownHosts(), tmp);
    String target = server.target(remotePath).replace(":" + server.port() + ":", ":" + proxy.port() + ":");
    return CliRun.args("push", src, target, "--known-hosts", knownHosts, "-i", server.userKey(), "--no-agent",
        "-F", "/dev/null", "--state-dir", tmp.resolve("state"), "--chunk-size", "8M");
  }

  /** A source with one large random file and a small one beside it. */
  private Path source(long size, int seed) throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("small.txt"), "small\n");
    writeRandom(src.resolve("big.bin"), size, seed);
    Files.setLastModifiedTime(src.resolve("big.bin"), FileTime.from(OLD.plusSeconds(seed)));
    return src;
  }

  /** Incompressible content, written fast: 1 MiB of random longs at a time. */
  static void writeRandom(Path file, long size, int seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] block = new byte[1 << 20];
    java.nio.ByteBuffer view = java.nio.ByteBuffer.wrap(block);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += block.length) {
        view.clear();
        while (view.hasRemaining()) {
          view.putLong(random.nextLong());
        }
        out.write(block, 0, (int) Math.min(block.length, size - written));
      }
    }
  }

  private Optional<Transfer> journaled(Path src) throws IOException {
    try (StateStore store = StateStore.open(tmp.resolve("state"), src)) {
      List<String> targets = store.targets();
      return targets.isEmpty() ? Optional.empty() : store.target(targets.getFirst()).journal().find("big.bin");
    }
  }

  /** Bytes of the large file on the remote under a temporary name or in staged parts. */
  private static long bytesInFlight(Path dest) throws IOException {
    if (!Files.isDirectory(dest)) {
      return 0;
    }
    long total = 0;
    List<Path> all;
    try (Stream<Path> walk = Files.walk(dest)) {
      all = walk.toList();
    } catch (java.io.UncheckedIOException vanished) {
      return 0; // a temp file was renamed while the walk read its directory: look again next poll
    }
    for (Path p : all) {
      boolean ours = TempNames.isTemp(p.getFileName().toString())
          || (p.getParent() != null && TempNames.isStaging(p.getParent().getFileName().toString()));
      try {
        if (ours && Files.isRegularFile(p)) {
          total += Files.size(p);
        }
      } catch (IOException vanished) {
        // renamed or concatenated meanwhile
      }
    }
    return total;
  }

  /** Waits until sshd has no session children left: the server is done with the killed client. */
  private static void awaitSessionsGone(TestServer server) throws IOException {
    Path pidFile = shared.resolve(server.kind() == ServerKind.OPENSSH_SFTP ? "sftp" : "scp").resolve("sshd.pid");
    ProcessHandle sshd = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).orElseThrow();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
        .until(() -> sshd.descendants().findAny().isEmpty());
  }

  private List<String> messages() {
    return log.messages();
  }

  private static String mib(long bytes) {
    return String.format("%.2f MiB", bytes / 1048576.0);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /**
   * Polls the final path while uploads run: whenever a file is there it must be complete, which
   * for an upload that is renamed into place means the full size (checked on every poll) and the
   * full content (checked the first time it appears).
   */
  static final class PartialContentObserver {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<String> violation = new AtomicReference<>();
    private final AtomicBoolean sawFinal = new AtomicBoolean();
    private final Thread thread;

    private PartialContentObserver(Path path, long size) {
      thread = Thread.ofPlatform().daemon().name("final-path-observer").start(() -> {
        while (running.get()) {
          try {
            long there = Files.size(path);
            if (there != size) {
              violation.compareAndSet(null, "final path held " + there + " bytes of " + size);
            }
            sawFinal.set(true);
          } catch (IOException absent) {
            // not there yet
          }
          try {
            Thread.sleep(2); // the observer's polling rate, not a wait for a result
          } catch (InterruptedException e) {
            return;
          }
        }
      });
    }

    static PartialContentObserver watch(Path path, long size) {
      return new PartialContentObserver(path, size);
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join();
    }

    String violation() {
      return violation.get();
    }

    boolean sawFinal() {
      return sawFinal.get();
    }
  }
}
