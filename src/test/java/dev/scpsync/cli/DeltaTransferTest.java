package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.scpsync.testing.CuttingProxy;
import dev.scpsync.testing.LogCapture;
import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Large files changed in place or appended go as the blocks that changed: against OpenSSH with
 * {@code copy-data}, OpenSSH whose sftp-server refuses it (then {@code cp} over exec), and the
 * embedded receiver (MINA's {@code copy-data}, no exec, so unverified). What crossed the link is
 * counted by a proxy in front of the server, not by scpsync itself.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DeltaTransferTest {
  private static final long SIZE = 32L << 20;
  private static final long BLOCK = 4L << 10;
  /** Per push: key exchange, authentication, the remote listing, stats, hashing commands, framing. */
  private static final long OVERHEAD = 64L << 10;
  private static final Instant OLD = Instant.parse("2024-05-01T10:00:00Z");

  @TempDir static Path shared;
  private static TestServer sftp;
  private static TestServer sftpWithoutCopyData;
  private static TestServer receiver;
  private static TestServer scpOnly;

  @TempDir Path tmp;
  private CuttingProxy proxy;
  private LogCapture log;

  @BeforeAll
  static void startServers() throws Exception {
    sftp = TestServer.start(ServerKind.OPENSSH_SFTP, shared.resolve("sftp"));
    sftpWithoutCopyData = TestServer.of(ServerKind.OPENSSH_SFTP,
        OpenSshServer.withSftpRefusing(shared.resolve("no-copy-data"), "copy-data"));
    receiver = TestServer.start(ServerKind.EMBEDDED_RECEIVER, shared.resolve("receiver"));
    scpOnly = TestServer.start(ServerKind.OPENSSH_SCP_ONLY, shared.resolve("scp"));
  }

  @AfterAll
  static void stopServers() throws IOException {
    for (TestServer s : new TestServer[] {sftp, sftpWithoutCopyData, receiver, scpOnly}) {
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
  void cleanUp() throws IOException {
    log.close();
    if (proxy != null) {
      proxy.close();
    }
  }

  private static TestServer server(String name) {
    return switch (name) {
      case "copy-data" -> sftp;
      case "cp" -> sftpWithoutCopyData;
      case "receiver" -> receiver;
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest(name = "remote copy by {0}")
  @ValueSource(strings = {"copy-data", "cp", "receiver"})
  void anAppendAnEditInPlaceAndATruncationEachSendOnlyWhatChanged(String copiedBy) throws Exception {
    TestServer server = server(copiedBy);
    Path src = source();
    Path big = src.resolve("app.log");
    TestServer.Location dest = server.location(tmp, "dest");
    List<String> push = pushThroughProxy(server, src, dest.remotePath());

    CliRun first = push(push);
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(sentBy(first)).as("the first push sends it all").isGreaterThanOrEqualTo(SIZE);

    append(big, 1 << 20, 2);
    CliRun appended = push(push);
    assertThat(appended.exitCode()).as(appended.toString()).isZero();
    assertThat(appended.out()).contains("1 as delta");
    assertThat(sentBy(appended)).as("an append of 1 MiB costs the tail and the block it extends")
        .isLessThanOrEqualTo((1 << 20) + BLOCK + OVERHEAD);
    Trees.assertSameTree(src, dest.onDisk());
    assertThat(messages()).anyMatch(m -> m.contains("as a delta") && m.contains("copied on the remote by "
        + (copiedBy.equals("cp") ? "cp" : "copy-data")));

    overwrite(big, 10L << 20, "edited in place".getBytes());
    overwrite(big, 20L << 20, "and here".getBytes());
    CliRun edited = push(push);
    assertThat(edited.exitCode()).as(edited.toString()).isZero();
    assertThat(sentBy(edited)).as("two small edits cost two blocks").isLessThanOrEqualTo(2 * BLOCK + OVERHEAD);
    Trees.assertSameTree(src, dest.onDisk());

    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(20L << 20);
    }
    CliRun truncated = push(push);
    assertThat(truncated.exitCode()).as(truncated.toString()).isZero();
    assertThat(sentBy(truncated)).as("a truncation sends no content").isLessThanOrEqualTo(OVERHEAD);
    Trees.assertSameTree(src, dest.onDisk());
    assertThat(Trees.tempFiles(dest.onDisk())).isEmpty();

    String verdict = copiedBy.equals("receiver") ? "unverified" : "in sync";
    assertThat(truncated.out()).as("%s: the receiver cannot hash, OpenSSH can", copiedBy).contains(verdict);
    System.out.printf("delta over %s: bytes on the wire for a 1 MiB append %d, two edits %d, a truncation %d%n",
        copiedBy, sentBy(appended), sentBy(edited), sentBy(truncated));
  }

  @Test
  void aRemoteFileChangedBehindTheStatesBackIsCaughtBySha256AndSentWhole() throws Exception {
    Path src = source();
    Path big = src.resolve("app.log");
    TestServer.Location dest = sftp.location(tmp, "dest");
    List<String> push = pushThroughProxy(sftp, src, dest.remotePath());
    assertThat(push(push).exitCode()).isZero();

    // Someone rewrites a block on the server and puts the mtime back: size and mtime still say
    // the remote holds what the state recorded, so the delta is built on a wrong base.
    Path remote = dest.onDisk().resolve("app.log");
    FileTime mtime = Files.getLastModifiedTime(remote);
    overwrite(remote, 5L << 20, "not what scpsync wrote".getBytes());
    Files.setLastModifiedTime(remote, mtime);
    append(big, 4096, 3);

    CliRun run = push(push);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(messages()).anyMatch(m -> m.contains("delta's result on the remote differs"));
    assertThat(sentBy(run)).as("sent whole after the mismatch").isGreaterThanOrEqualTo(SIZE);
    Trees.assertSameTree(src, dest.onDisk());
    assertThat(Trees.tempFiles(dest.onDisk())).isEmpty();
  }

  @Test
  void aRemoteFileReplacedSinceTheLastSyncIsSentWholeNotPatched() throws Exception {
    Path src = source();
    Path big = src.resolve("app.log");
    TestServer.Location dest = sftp.location(tmp, "dest");
    List<String> push = pushThroughProxy(sftp, src, dest.remotePath());
    assertThat(push(push).exitCode()).isZero();

    Path remote = dest.onDisk().resolve("app.log");
    overwrite(remote, 0, "someone else".getBytes());
    Files.setLastModifiedTime(remote, FileTime.from(OLD.plusSeconds(3600)));
    append(big, 4096, 4);

    List<String> overwrite = new java.util.ArrayList<>(push);
    overwrite.addAll(List.of("--on-drift", "overwrite"));
    CliRun run = push(overwrite);
    assertThat(run.exitCode()).as("drift is reported, then overwritten: %s", run).isEqualTo(ExitCodes.DRIFT);
    assertThat(messages()).anyMatch(m -> m.contains("not the version last synced"));
    assertThat(sentBy(run)).isGreaterThanOrEqualTo(SIZE);
    Trees.assertSameTree(src, dest.onDisk());
  }

  @Test
  void withNoDeltaAChangedLargeFileGoesWhole() throws Exception {
    Path src = source();
    TestServer.Location dest = sftp.location(tmp, "dest");
    List<String> push = pushThroughProxy(sftp, src, dest.remotePath());
    assertThat(push(push).exitCode()).isZero();
    append(src.resolve("app.log"), 4096, 5);

    List<String> noDelta = new java.util.ArrayList<>(push);
    noDelta.add("--no-delta");
    CliRun run = push(noDelta);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).doesNotContain("as delta");
    assertThat(sentBy(run)).isGreaterThanOrEqualTo(SIZE);
    Trees.assertSameTree(src, dest.onDisk());
  }

  @Test
  void scpOnlyServersGetTheWholeFileAndTheRightResult() throws Exception {
    Path src = source();
    TestServer.Location dest = scpOnly.location(tmp, "dest");
    List<String> push = pushThroughProxy(scpOnly, src, dest.remotePath());
    assertThat(push(push).exitCode()).isZero();
    append(src.resolve("app.log"), 4096, 6);

    CliRun run = push(push);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(sentBy(run)).isGreaterThanOrEqualTo(SIZE);
    Trees.assertSameTree(src, dest.onDisk());
  }

  @Test
  void aWatchedLogThatGrowsGoesAsDeltasOnTheOpenSession() throws Exception {
    Path src = source();
    Path big = src.resolve("app.log");
    TestServer.Location dest = sftp.location(tmp, "dest");
    try (WatchRun watch = WatchRun.start(sftp, src, dest.remotePath(), tmp.resolve("state"), "--chunk-size", "1M")) {
      Trees.assertSameTree(src, dest.onDisk());
      for (int i = 0; i < 3; i++) {
        append(big, 100_000, 10 + i);
        long size = Files.size(big);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
            .until(() -> Files.size(dest.onDisk().resolve("app.log")) == size);
        Trees.assertSameTree(src, dest.onDisk());
      }
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
    assertThat(messages().stream().filter(m -> m.contains("app.log: sent") && m.contains("as a delta")))
        .as("each append went as a delta").hasSize(3);
  }

  // ---- helpers

  private final java.util.Map<CliRun, Long> sent = new java.util.IdentityHashMap<>();

  private CliRun push(List<String> args) {
    long before = proxy.upstreamBytes();
    CliRun run = CliRun.of(args);
    sent.put(run, proxy.upstreamBytes() - before);
    return run;
  }

  /** Bytes the client sent through the proxy during {@code run}. */
  private long sentBy(CliRun run) {
    return sent.get(run);
  }

  private List<String> pushThroughProxy(TestServer server, Path src, String remotePath) throws IOException {
    proxy = CuttingProxy.to(server.port());
    Path knownHosts = proxy.knownHosts(server.knownHosts(), tmp);
    String target = server.target(remotePath).replace(":" + server.port() + ":", ":" + proxy.port() + ":");
    return CliRun.args("push", src, target, "--known-hosts", knownHosts, "-i", server.userKey(), "--no-agent",
        "-F", "/dev/null", "--state-dir", tmp.resolve("state"), "--chunk-size", "1M", "--delete");
  }

  /** A source with one large random file (older than now, so edits change its mtime) and a small one. */
  private Path source() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("small.txt"), "small\n");
    ChunkedResumeTest.writeRandom(src.resolve("app.log"), SIZE, 1);
    Files.setLastModifiedTime(src.resolve("app.log"), FileTime.from(OLD));
    return src;
  }

  private void append(Path file, int bytes, int seed) throws IOException {
    byte[] data = new byte[bytes];
    new java.util.SplittableRandom(seed).nextBytes(data);
    Files.write(file, data, java.nio.file.StandardOpenOption.APPEND);
    bumpMtime(file);
  }

  private void overwrite(Path file, long offset, byte[] data) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      f.write(data);
    }
    bumpMtime(file);
  }

  private int edits;

  /**
   * Gives each version its own whole second: SFTP keeps seconds, and a push (like rsync's quick
   * check) takes a remote file of the same size and second as in sync.
   */
  private void bumpMtime(Path file) throws IOException {
    Files.setLastModifiedTime(file, FileTime.from(OLD.plusSeconds(60L * ++edits)));
  }

  private List<String> messages() {
    return log.messages();
  }
}
