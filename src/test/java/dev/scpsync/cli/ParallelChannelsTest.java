package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.AllServers;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --parallel N} and {@code parallel:} in the config: a push (or a run's reconcile) of many
 * small files uses N channels of its session at once, and converges whatever N is. On OpenSSH each
 * channel is a process of its own, sftp-server for an SFTP channel and scp for an {@code scp -t}
 * one, so the number used is counted there, as the most of them alive at once under the server's
 * sshd. Over SFTP, the session's own channel (listing, directories, attributes) stays open beside
 * the N that carry the files, so N + 1 sftp-server processes are alive. (The embedded receiver runs
 * channels as threads: there only convergence is checked.)
 */
class ParallelChannelsTest {
  private static final int FILES = 1_000;

  @TempDir static Path shared;
  private static AllServers servers;

  @TempDir Path tmp;

  @BeforeAll
  static void startServers() throws Exception {
    servers = AllServers.start(shared);
  }

  @AfterAll
  static void stopServers() throws IOException {
    servers.close();
  }

  static Stream<Arguments> serversAndChannels() {
    return Stream.of(
        Arguments.of(ServerKind.OPENSSH_SFTP, 1), Arguments.of(ServerKind.OPENSSH_SFTP, 4),
        Arguments.of(ServerKind.OPENSSH_SCP_ONLY, 1), Arguments.of(ServerKind.OPENSSH_SCP_ONLY, 4),
        Arguments.of(ServerKind.EMBEDDED_RECEIVER, 1), Arguments.of(ServerKind.EMBEDDED_RECEIVER, 4));
  }

  @ParameterizedTest(name = "{0}, --parallel {1}")
  @MethodSource("serversAndChannels")
  void aThousandSmallFilesGoOverAsManyChannelsAsAskedAndArrive(ServerKind kind, int parallel) throws Exception {
    TestServer server = servers.get(kind);
    Path src = smallFiles(tmp.resolve("src"));
    TestServer.Location remote = server.location(tmp, "dest");
    try (ServerProcesses channels = kind == ServerKind.EMBEDDED_RECEIVER ? null : ServerProcesses.of(server, kind)) {
      CliRun push = CliRun.of(CliRun.args("push", src, server.target(remote.remotePath()), server.cliOptions(),
          "--state-dir", tmp.resolve("state"), "--parallel", parallel));
      assertThat(push.exitCode()).as(push.toString()).isZero();
      Trees.assertSameTree(src, remote.onDisk());
      if (channels != null) {
        assertThat(channels.most()).as("%s processes alive at once", channels.name).isEqualTo(besideSession(kind, parallel));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = ServerKind.class, names = {"OPENSSH_SFTP", "OPENSSH_SCP_ONLY"})
  void channelsTheServerRefusesAreDoneWithout(ServerKind kind) throws Exception {
    try (TestServer server = TestServer.start(kind, tmp.resolve("limited"))) {
      server.openssh().restartWithMaxSessions(2);
      Path src = smallFiles(tmp.resolve("src"));
      TestServer.Location remote = server.location(tmp, "dest");
      try (ServerProcesses channels = ServerProcesses.of(server, kind)) {
        CliRun push = CliRun.of(CliRun.args("push", src, server.target(remote.remotePath()), server.cliOptions(),
            "--state-dir", tmp.resolve("state"), "--parallel", 4));
        assertThat(push.exitCode()).as(push.toString()).isZero();
        Trees.assertSameTree(src, remote.onDisk());
        assertThat(channels.most()).as("MaxSessions 2").isEqualTo(2);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = ServerKind.class, names = {"OPENSSH_SFTP", "OPENSSH_SCP_ONLY"})
  void aSmallBatchStaysOnOneChannelWhateverParallelAllows(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = Files.createDirectories(tmp.resolve("src"));
    for (int i = 0; i < 100; i++) {
      Files.writeString(src.resolve("f" + i), "small " + i + "\n");
    }
    TestServer.Location remote = server.location(tmp, "dest");
    try (ServerProcesses channels = ServerProcesses.of(server, kind)) {
      CliRun push = CliRun.of(CliRun.args("push", src, server.target(remote.remotePath()), server.cliOptions(),
          "--state-dir", tmp.resolve("state"), "--parallel", 8));
      assertThat(push.exitCode()).as(push.toString()).isZero();
      Trees.assertSameTree(src, remote.onDisk());
      assertThat(channels.most()).as("100 files do not repay a second channel").isEqualTo(besideSession(kind, 1));
    }
  }

  @ParameterizedTest
  @EnumSource(value = ServerKind.class, names = {"OPENSSH_SFTP", "OPENSSH_SCP_ONLY"})
  void aTargetsOwnParallelInTheConfigWinsOverTheTransfersOne(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = smallFiles(tmp.resolve("src"));
    TestServer.Location remote = server.location(tmp, "dest");
    Path config = Files.writeString(tmp.resolve("scpsync.yaml"), String.join("\n",
        "source: " + src,
        "state-dir: " + tmp.resolve("state"),
        "transfer: {parallel: 1}",
        "monitor: {http: off}",
        "ssh: {agent: false, config: /dev/null, known-hosts: [" + server.knownHosts() + "], identities: ["
            + server.userKey() + "]}",
        "targets:",
        "  - name: web",
        "    target: " + server.target(remote.remotePath()),
        "    parallel: 3",
        ""));
    try (ServerProcesses channels = ServerProcesses.of(server, kind)) {
      CliRun run = CliRun.of("run", "-c", config.toString(), "--exit-after", "0s");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      Trees.assertSameTree(src, remote.onDisk());
      assertThat(channels.most()).as("the initial reconcile's channels").isEqualTo(besideSession(kind, 3));
    }
  }

  @org.junit.jupiter.api.Test
  void aWatchOpensItsSmallFileChannelsBeforeTheFirstBurstAndKeepsThem() throws Exception {
    TestServer server = servers.get(ServerKind.OPENSSH_SFTP);
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("one.txt"), "one\n");
    TestServer.Location remote = server.location(tmp, "dest");
    try (ServerProcesses channels = ServerProcesses.of(server, ServerKind.OPENSSH_SFTP);
        WatchRun watch = WatchRun.start(server, src, remote.remotePath(), tmp.resolve("state"), "--parallel", "2")) {
      await().atMost(Duration.ofSeconds(20)).until(() -> channels.alive() == 3);
      Path burst = Files.createDirectories(src.resolve("burst"));
      for (int i = 0; i < 600; i++) {
        Files.writeString(burst.resolve("f" + i), "burst " + i + "\n");
      }
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> Trees.assertSameTree(src, remote.onDisk()));
      assertThat(channels.most()).as("the session's channel and the two kept open, no more").isEqualTo(3);
      assertThat(watch.stop()).as(watch.toString()).isZero();
    }
  }

  /** Processes alive while {@code channels} carry files: over SFTP, the session's channel too. */
  private static int besideSession(ServerKind kind, int channels) {
    return kind == ServerKind.OPENSSH_SFTP ? channels + 1 : channels;
  }

  /** {@value #FILES} small files in ten directories. */
  private static Path smallFiles(Path root) throws IOException {
    for (int i = 0; i < FILES; i++) {
      Path dir = Files.createDirectories(root.resolve("d" + i % 10));
      Files.writeString(dir.resolve("f" + i + ".txt"), "file " + i + "\n".repeat(i % 7));
    }
    return root;
  }

  /**
   * Watches the processes of one kind under an OpenSSH server while a push runs: the most alive
   * at once. Starts once the previous test's are gone, so none of them is counted.
   */
  private static final class ServerProcesses implements AutoCloseable {
    private final long sshd;
    private final String name;
    private final AtomicInteger most = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread sampler;

    private ServerProcesses(long sshd, String name) {
      this.sshd = sshd;
      this.name = name;
      await().atMost(Duration.ofSeconds(20)).until(() -> alive() == 0);
      sampler = Thread.ofPlatform().daemon().name("count " + name).start(() -> {
        try {
          while (!stop.get()) {
            most.accumulateAndGet(alive(), Math::max);
            Thread.sleep(2);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }

    static ServerProcesses of(TestServer server, ServerKind kind) {
      return new ServerProcesses(server.openssh().pid(), kind == ServerKind.OPENSSH_SFTP ? "sftp-server" : "scp");
    }

    private int alive() {
      return (int) ProcessHandle.of(sshd).stream().flatMap(ProcessHandle::descendants)
          .filter(p -> p.info().command().map(c -> c.endsWith("/" + name)).orElse(false)).count();
    }

    /** The most alive at once, now that the push is over. */
    int most() {
      close();
      return most.get();
    }

    @Override
    public void close() {
      stop.set(true);
      try {
        sampler.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
