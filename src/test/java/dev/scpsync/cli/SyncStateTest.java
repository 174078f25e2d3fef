package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.testing.AllServers;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The sync state against real servers: drift under each policy, delete limits, the empty-source
 * guard, and renames that move nothing over the wire.
 */
class SyncStateTest {
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
    return CliRun.of(CliRun.args("push", src, server.target(remotePath), server.cliOptions(),
        "--state-dir", tmp.resolve("state"), List.of(extra)));
  }

  /**
   * A {@code push --trust-state} that cannot connect: its known_hosts lacks the server's key, so
   * a push that needs the server fails with exit code 3 ({@link ExitCodes#CONNECT}).
   */
  private List<String> trustStatePushThatCannotConnect(TestServer server, Path src, String remotePath) throws IOException {
    Path untrusting = Files.createFile(tmp.resolve("empty_known_hosts"));
    List<String> noTrust = List.of("--known-hosts", untrusting.toString(), "-i", server.userKey().toString(), "--no-agent", "-F", "/dev/null");
    return CliRun.args("push", src, server.target(remotePath), noTrust, "--state-dir", tmp.resolve("state"), "--trust-state");
  }

  private static Path tree(Path root, int files) throws IOException {
    Files.createDirectories(root.resolve("docs"));
    for (int i = 0; i < files; i++) {
      Files.writeString(root.resolve("docs/page-" + i + ".txt"), "page " + i + "\n");
    }
    Files.writeString(root.resolve("index.html"), "<h1>hi</h1>\n");
    return root;
  }

  /** Someone else edits a file on the server: other content, a later mtime. */
  private static void editBehindOurBack(Path file, String content) throws IOException {
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(3600)));
  }

  /** Pushes a small tree, then edits index.html on the server and, differently, locally. */
  private TestServer.Location bothSidesEditIndexAfterASync(TestServer server, Path src) throws IOException {
    tree(src, 3);
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath()).exitCode()).isZero();
    editBehindOurBack(remote.onDisk().resolve("index.html"), "edited on the server\n");
    Files.writeString(src.resolve("index.html"), "<h1>ours, newer</h1>\n");
    return remote;
  }

  @ParameterizedTest
  @EnumSource(ServerKind.class)
  void driftIsLeftAloneByDefaultAndReportedWithItsOwnExitCode(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = tmp.resolve("src");
    TestServer.Location remote = bothSidesEditIndexAfterASync(server, src);
    CliRun run = push(server, src, remote.remotePath());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.DRIFT);
    assertThat(run.err()).contains("drift: index.html").contains("left alone");
    assertThat(remote.onDisk().resolve("index.html")).hasContent("edited on the server");
  }

  @ParameterizedTest
  @EnumSource(ServerKind.class)
  void driftBackupKeepsTheirCopyAndWritesOurs(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = tmp.resolve("src");
    TestServer.Location remote = bothSidesEditIndexAfterASync(server, src);
    CliRun run = push(server, src, remote.remotePath(), "--on-drift", "backup");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.DRIFT);
    assertThat(remote.onDisk().resolve("index.html")).hasContent("<h1>ours, newer</h1>");
    List<Path> conflicts;
    try (var list = Files.list(remote.onDisk())) {
      conflicts = list.filter(p -> p.getFileName().toString().startsWith("index.html.scpsync-conflict-")).toList();
    }
    assertThat(conflicts).singleElement().satisfies(p -> assertThat(p).hasContent("edited on the server"));

    CliRun again = push(server, src, remote.remotePath(), "--on-drift", "backup");
    assertThat(again.exitCode()).as("converged: no more drift").isZero();
  }

  @Test
  void driftOverwriteWritesOursAndStillReportsIt() throws Exception {
    TestServer server = servers.get(ServerKind.OPENSSH_SFTP);
    Path src = tree(tmp.resolve("src"), 3);
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath()).exitCode()).isZero();
    editBehindOurBack(remote.onDisk().resolve("docs/page-1.txt"), "theirs\n");
    CliRun run = push(server, src, remote.remotePath(), "--on-drift", "overwrite");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.DRIFT);
    assertThat(run.err()).contains("overwritten");
    Trees.assertSameTree(src, remote.onDisk());
  }

  @Test
  void maxDeleteRefusesAndDeletesNothing() throws Exception {
    TestServer server = servers.get(ServerKind.OPENSSH_SFTP);
    Path src = tree(tmp.resolve("src"), 10);
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath()).exitCode()).isZero();
    for (int i = 0; i < 6; i++) {
      Files.delete(src.resolve("docs/page-" + i + ".txt"));
    }
    CliRun refused = push(server, src, remote.remotePath(), "--delete", "--max-delete", "5");
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.DELETES_REFUSED);
    assertThat(refused.err()).contains("deleted nothing").contains("would delete 6");
    assertThat(remote.onDisk().resolve("docs/page-0.txt")).exists();

    CliRun percent = push(server, src, remote.remotePath(), "--delete", "--max-delete", "20%");
    assertThat(percent.exitCode()).as(percent.toString()).isEqualTo(ExitCodes.DELETES_REFUSED);

    CliRun allowed = push(server, src, remote.remotePath(), "--delete", "--max-delete", "6");
    assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    Trees.assertSameTree(src, remote.onDisk());
  }

  @Test
  void anEmptySourceNeverWipesTheTarget() throws Exception {
    TestServer server = servers.get(ServerKind.OPENSSH_SFTP);
    Path src = tree(tmp.resolve("src"), 3);
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath()).exitCode()).isZero();
    Path empty = Files.createDirectories(tmp.resolve("unmounted"));
    CliRun refused = push(server, empty, remote.remotePath(), "--delete");
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.DELETES_REFUSED);
    assertThat(refused.err()).contains("--allow-empty-source");
    assertThat(remote.onDisk().resolve("index.html")).exists();

    CliRun allowed = push(server, empty, remote.remotePath(), "--delete", "--allow-empty-source");
    assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    try (var list = Files.list(remote.onDisk())) {
      assertThat(list.toList()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(ServerKind.class)
  void movedFilesAndDirectoriesAreRenamedRemotelyWithoutSendingData(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = tmp.resolve("src");
    Path big = Files.createDirectories(src.resolve("photos/2024"));
    Random random = new Random(3);
    for (int i = 0; i < 1000; i++) {
      byte[] data = new byte[1024];
      random.nextBytes(data);
      Files.write(big.resolve("img-" + i + ".bin"), data);
    }
    byte[] report = new byte[512 * 1024];
    random.nextBytes(report);
    Files.write(src.resolve("report.pdf"), report);
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath()).exitCode()).isZero();

    Files.createDirectories(src.resolve("archive"));
    Files.move(src.resolve("photos/2024"), src.resolve("archive/photos-2024"));
    Files.move(src.resolve("report.pdf"), src.resolve("archive/report-final.pdf"));
    CliRun run = push(server, src, remote.remotePath(), "--delete");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains(": 0 files (0 B) transferred").contains("2 renamed");
    Trees.assertSameTree(src, remote.onDisk());
  }

  @Test
  void trustStateSkipsTheListingAndStillSendsLocalChanges() throws Exception {
    TestServer server = servers.get(ServerKind.OPENSSH_SFTP);
    Path src = tree(tmp.resolve("src"), 5);
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath()).exitCode()).isZero();
    CliRun idle = push(server, src, remote.remotePath(), "--trust-state");
    assertThat(idle.out()).contains(": 0 files (0 B) transferred");
    Files.writeString(src.resolve("docs/page-2.txt"), "changed, and longer than before\n");
    CliRun changed = push(server, src, remote.remotePath(), "--trust-state");
    assertThat(changed.exitCode()).as(changed.toString()).isZero();
    assertThat(changed.out()).contains(": 1 files (");
    Trees.assertSameTree(src, remote.onDisk());
  }

  @ParameterizedTest
  @EnumSource(ServerKind.class)
  void checksumFindsSameSizeSameMtimeDifferencesWhereTheServerCanHash(ServerKind kind) throws Exception {
    TestServer server = servers.get(kind);
    Path src = tree(tmp.resolve("src"), 2);
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath(), "--no-state").exitCode()).isZero();
    Path victim = remote.onDisk().resolve("index.html");
    FileTime mtime = Files.getLastModifiedTime(victim);
    Files.writeString(victim, "<h1>HI</h1>\n"); // same size, other bytes, same mtime: invisible to size+mtime
    Files.setLastModifiedTime(victim, mtime);

    CliRun plain = push(server, src, remote.remotePath(), "--no-state");
    assertThat(plain.out()).contains(": 0 files (0 B) transferred");
    CliRun checked = push(server, src, remote.remotePath(), "--no-state", "--checksum");
    assertThat(checked.exitCode()).as(checked.toString()).isZero();
    if (kind == ServerKind.EMBEDDED_RECEIVER) {
      assertThat(checked.err()).contains("cannot compute SHA-256").contains("size and mtime only");
      assertThat(victim).hasContent("<h1>HI</h1>");
    } else {
      assertThat(checked.out()).contains(": 1 files (");
      Trees.assertSameTree(src, remote.onDisk());
    }
  }

  @Test
  void trustStateWithNothingChangedLocallyDoesNotEvenConnect() throws Exception {
    TestServer server = servers.get(ServerKind.OPENSSH_SFTP);
    Path src = tree(tmp.resolve("src"), 5);
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath()).exitCode()).isZero();
    List<String> cannotConnect = trustStatePushThatCannotConnect(server, src, remote.remotePath());
    CliRun idle = CliRun.of(cannotConnect);
    assertThat(idle.exitCode()).as(idle.toString()).isZero();
    assertThat(idle.out()).contains(": 0 files (0 B) transferred");

    Files.writeString(src.resolve("index.html"), "<h1>changed</h1>\n");
    CliRun changed = CliRun.of(cannotConnect);
    assertThat(changed.exitCode()).as("a local change needs the server, and its key is unknown here").isEqualTo(ExitCodes.CONNECT);
  }

  @Test
  void trustStateSendsAModeASymlinkTargetAndADirectoryMtimeThatChangedAlone() throws Exception {
    TestServer server = servers.get(ServerKind.OPENSSH_SFTP);
    Path src = tree(tmp.resolve("src"), 2);
    Files.createSymbolicLink(src.resolve("latest"), Path.of("aaaa"));
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath()).exitCode()).isZero();
    List<String> idle = trustStatePushThatCannotConnect(server, src, remote.remotePath());

    Path page = src.resolve("index.html");
    Files.setPosixFilePermissions(page, PosixFilePermissions.fromString("rwxr-x---"));
    assertThat(CliRun.of(idle).exitCode()).as("a new mode is a local change").isEqualTo(ExitCodes.CONNECT);
    CliRun mode = push(server, src, remote.remotePath(), "--trust-state");
    assertThat(mode.exitCode()).as(mode.toString()).isZero();
    Trees.assertSameTree(src, remote.onDisk());

    Files.delete(src.resolve("latest"));
    Files.createSymbolicLink(src.resolve("latest"), Path.of("bbbb")); // same length: same size
    assertThat(CliRun.of(idle).exitCode()).as("a new symlink target is a local change").isEqualTo(ExitCodes.CONNECT);
    CliRun link = push(server, src, remote.remotePath(), "--trust-state");
    assertThat(link.exitCode()).as(link.toString()).isZero();
    Trees.assertSameTree(src, remote.onDisk());

    FileTime past = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.setLastModifiedTime(src.resolve("docs"), past);
    assertThat(CliRun.of(idle).exitCode()).as("a directory's new mtime is a local change").isEqualTo(ExitCodes.CONNECT);
    CliRun dir = push(server, src, remote.remotePath(), "--trust-state");
    assertThat(dir.exitCode()).as(dir.toString()).isZero();
    assertThat(Files.getLastModifiedTime(remote.onDisk().resolve("docs"))).isEqualTo(past);

    CliRun after = CliRun.of(idle);
    assertThat(after.exitCode()).as("all of it synced: no need to connect again: %s", after).isZero();
    assertThat(after.out()).contains(": 0 files (0 B) transferred");
  }

  @Test
  void onlyTheMtimeChangedMeansNoTransfer() throws Exception {
    TestServer server = servers.get(ServerKind.OPENSSH_SFTP);
    Path src = tree(tmp.resolve("src"), 2);
    TestServer.Location remote = server.location(tmp, "dest");
    assertThat(push(server, src, remote.remotePath()).exitCode()).isZero();
    Files.setLastModifiedTime(src.resolve("index.html"), FileTime.from(Instant.now().plusSeconds(120)));
    CliRun run = push(server, src, remote.remotePath());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains(": 0 files (0 B) transferred").contains("1 attributes set");
    Trees.assertSameTree(src, remote.onDisk());
  }

}
