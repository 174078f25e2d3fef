package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.testing.AllServers;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The push/pull contract, run through the real CLI against every server kind: OpenSSH with
 * SFTP, OpenSSH without SFTP (legacy SCP), and scpsync's embedded receiver.
 */
class PushPullContractTest {
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

  private CliRun push(TestServer server, Path src, String remotePath, String... extra) {
    return CliRun.of(CliRun.args("push", src, server.target(remotePath), server.cliOptions(), java.util.List.of(extra)));
  }

  private CliRun pull(TestServer server, String remotePath, Path dest, String... extra) {
    return CliRun.of(CliRun.args("pull", server.target(remotePath), dest, server.cliOptions(), java.util.List.of(extra)));
  }

  static void sampleTree(Path root) throws IOException {
    Files.createDirectories(root.resolve("a/b/c"));
    Files.createDirectories(root.resolve("empty/nested-empty"));
    Files.writeString(root.resolve("top.txt"), "top\n");
    Files.writeString(root.resolve("a/one.txt"), "one\n");
    Files.writeString(root.resolve("a/b/c/deep.txt"), "deep\n".repeat(1000));
    Files.write(root.resolve("zero-bytes"), new byte[0]);
    Files.writeString(root.resolve("name with spaces.txt"), "spaces\n");
    Files.writeString(root.resolve("ünïcødé-日本語.txt"), "unicode\n");
    Files.writeString(root.resolve("it's \"quoted\" $(touch pwned) `x`;.txt"), "hostile name\n");
    Path script = root.resolve("a/run.sh");
    Files.writeString(script, "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
    Files.setPosixFilePermissions(root.resolve("a/one.txt"), PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(root.resolve("a/b"), PosixFilePermissions.fromString("rwx--x--x"));
    byte[] random = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(random);
    Files.write(root.resolve("a/random.bin"), random);
    Files.setLastModifiedTime(root.resolve("top.txt"), FileTime.from(Instant.parse("2020-01-02T03:04:05.678Z")));
  }

  @ParameterizedTest
  @EnumSource(ServerKind.class)
  void pushesANewTreeThenTransfersNothingTheSecondTime(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = tmp.resolve("src");
    sampleTree(src);
    TestServer.Location remote = server.location(tmp, "dest");

    CliRun first = push(server, src, remote.remotePath());
    assertThat(first.exitCode()).as(first.toString()).isZero();
    Trees.assertSameTree(src, remote.onDisk());
    assertThat(Trees.tempFiles(remote.onDisk())).isEmpty();
    assertThat(tmp.resolve("pwned")).doesNotExist();
    assertThat(Path.of("pwned")).doesNotExist();

    CliRun second = push(server, src, remote.remotePath());
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(second.out()).contains(": 0 files (0 B) transferred");
  }

  @ParameterizedTest
  @EnumSource(ServerKind.class)
  void sendsOnlyChangesAndDeletesOnlyWithDelete(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = tmp.resolve("src");
    sampleTree(src);
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath()).exitCode()).isZero();

    Files.writeString(src.resolve("a/one.txt"), "one, changed and longer\n");
    Files.delete(src.resolve("top.txt"));
    Files.delete(src.resolve("a/b/c/deep.txt"));
    Files.writeString(src.resolve("new.txt"), "new\n");
    Files.writeString(remote.onDisk().resolve("remote-only.log"), "excluded on the remote\n");

    CliRun noDelete = push(server, src, remote.remotePath(), "--exclude", "*.log");
    assertThat(noDelete.exitCode()).as(noDelete.toString()).isZero();
    assertThat(noDelete.out()).contains(": 2 files (");
    assertThat(remote.onDisk().resolve("top.txt")).exists();
    assertThat(remote.onDisk().resolve("a/one.txt")).hasContent("one, changed and longer");

    CliRun withDelete = push(server, src, remote.remotePath(), "--delete", "--exclude", "*.log");
    assertThat(withDelete.exitCode()).as(withDelete.toString()).isZero();
    assertThat(remote.onDisk().resolve("top.txt")).doesNotExist();
    assertThat(remote.onDisk().resolve("a/b/c/deep.txt")).doesNotExist();
    assertThat(remote.onDisk().resolve("remote-only.log")).as("excluded paths are never deleted").exists();
    Trees.assertSameTree(src, remote.onDisk(), "*.log");
  }

  @ParameterizedTest
  @EnumSource(ServerKind.class)
  void dryRunChangesNothing(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = tmp.resolve("src");
    sampleTree(src);
    TestServer.Location remote = server.location(tmp, "dest");
    CliRun dry = push(server, src, remote.remotePath(), "--dry-run");
    assertThat(dry.exitCode()).as(dry.toString()).isZero();
    assertThat(dry.out()).contains("send     a/random.bin").contains("dry run");
    assertThat(remote.onDisk()).doesNotExist();
  }

  @ParameterizedTest
  @EnumSource(ServerKind.class)
  void symlinksAreSymlinksWhereTheProtocolAllowsIt(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Files.writeString(src.resolve("target.txt"), "t\n");
    Files.createSymbolicLink(src.resolve("link"), Path.of("target.txt"));
    TestServer.Location remote = server.location(tmp, "dest");
    CliRun run = push(server, src, remote.remotePath());
    if (server.supportsSymlinks()) {
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(Files.readSymbolicLink(remote.onDisk().resolve("link"))).isEqualTo(Path.of("target.txt"));
    } else {
      assertThat(run.exitCode()).as("a skipped symlink means the target does not match").isEqualTo(1);
      assertThat(run.err()).contains("link: symlink skipped");
      assertThat(remote.onDisk().resolve("target.txt")).exists();
      assertThat(remote.onDisk().resolve("link")).doesNotExist();
    }
  }

  @ParameterizedTest
  @EnumSource(ServerKind.class)
  void movesA100MiBFileIntact(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Random random = new Random(kind.ordinal());
    byte[] block = new byte[1024 * 1024];
    try (OutputStream out = Files.newOutputStream(src.resolve("big.bin"))) {
      for (int i = 0; i < 100; i++) {
        random.nextBytes(block);
        out.write(block);
      }
    }
    TestServer.Location remote = server.location(tmp, "dest");
    CliRun up = push(server, src, remote.remotePath());
    assertThat(up.exitCode()).as(up.toString()).isZero();
    Trees.assertSameTree(src, remote.onDisk());

    Path back = tmp.resolve("back");
    CliRun down = pull(server, remote.remotePath(), back);
    assertThat(down.exitCode()).as(down.toString()).isZero();
    Trees.assertSameTree(src, back);
  }

  @ParameterizedTest
  @EnumSource(ServerKind.class)
  void pullMirrorsTheRemoteAndDeletesLocalExtrasOnlyWithDelete(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = tmp.resolve("src");
    sampleTree(src);
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath()).exitCode()).isZero();

    Path local = tmp.resolve("pulled");
    CliRun first = pull(server, remote.remotePath(), local);
    assertThat(first.exitCode()).as(first.toString()).isZero();
    Trees.assertSameTree(src, local);
    assertThat(Trees.tempFiles(local)).isEmpty();

    CliRun again = pull(server, remote.remotePath(), local);
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains(": 0 files (0 B) transferred");

    Files.writeString(local.resolve("local-extra.txt"), "x");
    assertThat(pull(server, remote.remotePath(), local).exitCode()).isZero();
    assertThat(local.resolve("local-extra.txt")).exists();
    CliRun mirror = pull(server, remote.remotePath(), local, "--delete");
    assertThat(mirror.exitCode()).as(mirror.toString()).isZero();
    assertThat(local.resolve("local-extra.txt")).doesNotExist();
    Trees.assertSameTree(src, local);
  }
}
