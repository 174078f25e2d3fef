package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.testing.Processes;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input: each case is one clear line on stderr, a non-zero exit code, and nothing at the
 * destination's final paths.
 */
class BadInputTest {
  @TempDir static Path shared;
  private static OpenSshServer server;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    server = OpenSshServer.withSftp(shared.resolve("sshd"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private Path source() throws IOException {
    Path src = tmp.resolve("src");
    Files.createDirectories(src.resolve("d"));
    Files.writeString(src.resolve("d/file.txt"), "content\n");
    return src;
  }

  private static List<String> keyArgs(Path knownHosts, Path key) {
    return List.of("--known-hosts", knownHosts.toString(), "-i", key.toString(), "--no-agent", "-F", "/dev/null");
  }

  private static void assertOneLineError(CliRun run, int exitCode, String... fragments) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(exitCode);
    List<String> errorLines = run.err().lines().filter(l -> l.startsWith("scpsync: error:")).toList();
    assertThat(errorLines).as(run.toString()).hasSize(1);
    for (String f : fragments) {
      assertThat(errorLines.get(0)).contains(f);
    }
  }

  @Test
  void aChunkSizeThatIsNotASizeOrTooSmallIsAUsageError() throws Exception {
    Path src = source();
    Path dest = tmp.resolve("dest");
    for (String[] bad : new String[][] {{"8X", "not a size"}, {"1K", "at least 64K"}}) {
      CliRun run = CliRun.of(CliRun.args("push", src, server.target(dest), keyArgs(server.knownHosts(), server.userKey()),
          "--chunk-size", bad[0]));
      assertOneLineError(run, ExitCodes.USAGE, "--chunk-size", bad[1]);
    }
    assertThat(dest).doesNotExist();
  }

  @Test
  void aNumberOfChannelsOutsideOneToSixteenIsAUsageError() throws Exception {
    Path src = source();
    Path dest = tmp.resolve("dest");
    for (String bad : List.of("0", "17", "-1")) {
      CliRun run = CliRun.of(CliRun.args("push", src, server.target(dest), keyArgs(server.knownHosts(), server.userKey()),
          "--parallel", bad));
      assertOneLineError(run, ExitCodes.USAGE, "--parallel must be 1 to 16, not " + bad);
    }
    CliRun notANumber = CliRun.of(CliRun.args("push", src, server.target(dest), keyArgs(server.knownHosts(),
        server.userKey()), "--parallel", "many"));
    assertThat(notANumber.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(notANumber.err()).contains("--parallel");
    assertThat(dest).doesNotExist();
  }

  @Test
  void aBandwidthLimitThatIsNotARateIsAUsageErrorAndARealOneStillDeliversEverything() throws Exception {
    Path src = source();
    Path dest = tmp.resolve("dest");
    CliRun bad = CliRun.of(CliRun.args("push", src, server.target(dest), keyArgs(server.knownHosts(), server.userKey()),
        "--bwlimit", "fast"));
    assertOneLineError(bad, ExitCodes.USAGE, "--bwlimit", "not a size");
    assertThat(dest).doesNotExist();
    CliRun limited = CliRun.of(CliRun.args("push", src, server.target(dest), keyArgs(server.knownHosts(), server.userKey()),
        "--bwlimit", "10M", "--no-state"));
    assertThat(limited.exitCode()).as(limited.toString()).isZero();
    dev.scpsync.testing.Trees.assertSameTree(src, dest);
  }

  @Test
  void unknownHostKeyIsRefusedWithItsFingerprint() throws Exception {
    Path empty = Files.createFile(tmp.resolve("known_hosts"));
    Path dest = tmp.resolve("dest");
    CliRun run = CliRun.of(CliRun.args("push", source(), server.target(dest), keyArgs(empty, server.userKey())));
    String fingerprint = Processes.runOk(List.of("ssh-keygen", "-lf", server.hostPublicKey().toString())).stdout().split(" ")[1];
    assertOneLineError(run, ExitCodes.CONNECT, "not known", fingerprint, "--accept-new");
    assertThat(dest).doesNotExist();
    assertThat(empty).isEmptyFile();
  }

  @Test
  void acceptNewRecordsTheKeyThenIsStrict() throws Exception {
    Path knownHosts = tmp.resolve("known_hosts");
    Path dest = tmp.resolve("dest");
    List<String> args = CliRun.args("push", source(), server.target(dest), keyArgs(knownHosts, server.userKey()));
    CliRun first = CliRun.of(CliRun.args(args, "--accept-new"));
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(Files.readString(knownHosts)).startsWith("[127.0.0.1]:" + server.port() + " ssh-ed25519 ");
    CliRun second = CliRun.of(args);
    assertThat(second.exitCode()).as(second.toString()).isZero();
  }

  @Test
  void changedHostKeyIsRefusedLoudlyEvenWithAcceptNew() throws Exception {
    Path other = tmp.resolve("other_host_key");
    Processes.runOk(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()));
    String[] pub = Files.readString(Path.of(other + ".pub")).split(" ");
    Path knownHosts = tmp.resolve("known_hosts");
    Files.writeString(knownHosts, "[127.0.0.1]:" + server.port() + " " + pub[0] + " " + pub[1] + "\n");
    Path dest = tmp.resolve("dest");
    CliRun run = CliRun.of(CliRun.args("push", source(), server.target(dest), keyArgs(knownHosts, server.userKey()), "--accept-new"));
    assertOneLineError(run, ExitCodes.CONNECT, "HAS CHANGED", "ssh-keygen -R");
    assertThat(dest).doesNotExist();
  }

  @Test
  void wrongUserKeyFailsAuthentication() throws Exception {
    Path stranger = tmp.resolve("stranger");
    Processes.runOk(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger.toString()));
    Path dest = tmp.resolve("dest");
    CliRun run = CliRun.of(CliRun.args("push", source(), server.target(dest), keyArgs(server.knownHosts(), stranger)));
    assertOneLineError(run, ExitCodes.CONNECT, "authentication", "refused");
    assertThat(dest).doesNotExist();
  }

  @Test
  void closedPortSaysConnectionRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun run = CliRun.of(CliRun.args("push", source(), "root@127.0.0.1:" + port + ":/tmp/x", keyArgs(server.knownHosts(), server.userKey())));
    assertOneLineError(run, ExitCodes.CONNECT, "127.0.0.1:" + port, "connection refused");
  }

  @Test
  void unwritableRemoteDirectoryFailsWithoutPartialFiles() throws Exception {
    // Even root cannot create entries under /proc, so this holds for any test user.
    CliRun run = CliRun.of(CliRun.args("push", source(), server.target(Path.of("/proc/scpsync-test/dest")), keyArgs(server.knownHosts(), server.userKey())));
    assertOneLineError(run, ExitCodes.FAILED, "/proc/scpsync-test");
  }

  @Test
  void targetThatIsAFileIsRefused() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "I am a file");
    CliRun run = CliRun.of(CliRun.args("push", source(), server.target(file), keyArgs(server.knownHosts(), server.userKey())));
    assertOneLineError(run, ExitCodes.FAILED, "not a directory");
    assertThat(file).hasContent("I am a file");
  }

  @Test
  void missingLocalSourceIsAUsageError() {
    CliRun run = CliRun.of(CliRun.args("push", tmp.resolve("nope"), server.target(tmp.resolve("dest")), keyArgs(server.knownHosts(), server.userKey())));
    assertOneLineError(run, ExitCodes.USAGE, "nope", "does not exist");
    assertThat(tmp.resolve("dest")).doesNotExist();
  }

  @Test
  void malformedTargetSpecIsAUsageError() throws Exception {
    for (String bad : List.of("sftp://", "host:99999:/x", "scp://[::1/x", "user@-oProxyCommand=x:/y")) {
      CliRun run = CliRun.of(CliRun.args("push", source(), bad, keyArgs(server.knownHosts(), server.userKey())));
      assertOneLineError(run, ExitCodes.USAGE, "target");
    }
  }
}
