package dev.scpsync.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files go in and out of the receiver with OpenSSH's own scp and sftp, byte and mtime exact. */
class ReceiverTest {
  private static final FileTime OLD = FileTime.from(Instant.parse("2001-02-03T04:05:06Z"));

  @TempDir Path tmp;
  private ReceiverFixture fixture;
  private Path local;

  @BeforeEach
  void start() throws Exception {
    OpenSsh.requireClients();
    fixture = ReceiverFixture.start(tmp.resolve("server"));
    local = Files.createDirectories(tmp.resolve("local"));
  }

  @AfterEach
  void stop() throws IOException {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void legacyScpUploadsAndDownloadsAFileKeepingItsMtime() throws Exception {
    Path file = write(local.resolve("report.txt"), "quarterly numbers\n");

    fixture.scp("-O", "-p", file.toString(), fixture.remote("report.txt")).requireSuccess();

    Path uploaded = fixture.root.resolve("report.txt");
    assertThat(uploaded).hasContent("quarterly numbers");
    assertThat(Files.getLastModifiedTime(uploaded)).isEqualTo(OLD);

    Path back = local.resolve("back.txt");
    fixture.scp("-O", "-p", fixture.remote("report.txt"), back.toString()).requireSuccess();
    assertThat(back).hasSameBinaryContentAs(file);
    assertThat(Files.getLastModifiedTime(back)).isEqualTo(OLD);
  }

  @Test
  void legacyScpCopiesDirectoriesRecursivelyKeepingMtimes() throws Exception {
    Path site = Files.createDirectories(local.resolve("site/css"));
    write(local.resolve("site/index.html"), "<h1>hi</h1>");
    write(site.resolve("main.css"), "body{}");
    Files.setLastModifiedTime(local.resolve("site"), OLD);

    fixture.scp("-O", "-r", "-p", local.resolve("site").toString(), fixture.remote("/"))
        .requireSuccess();

    assertThat(fixture.root.resolve("site/index.html")).hasContent("<h1>hi</h1>");
    assertThat(fixture.root.resolve("site/css/main.css")).hasContent("body{}");
    assertThat(Files.getLastModifiedTime(fixture.root.resolve("site/css/main.css")))
        .isEqualTo(OLD);
    assertThat(Files.getLastModifiedTime(fixture.root.resolve("site"))).isEqualTo(OLD);

    Path copy = Files.createDirectories(tmp.resolve("copy"));
    fixture.scp("-O", "-r", "-p", fixture.remote("site"), copy.toString()).requireSuccess();
    assertThat(copy.resolve("site/index.html")).hasContent("<h1>hi</h1>");
    assertThat(copy.resolve("site/css/main.css")).hasContent("body{}");
    assertThat(Files.getLastModifiedTime(copy.resolve("site/css/main.css"))).isEqualTo(OLD);
  }

  @Test
  void scpInSftpModeUploadsAndDownloads() throws Exception {
    Path file = write(local.resolve("data.bin"), "x".repeat(300_000));
    Files.createDirectories(fixture.root.resolve("in"));

    fixture.scp("-s", "-p", file.toString(), fixture.remote("/in/data.bin")).requireSuccess();
    assertThat(fixture.root.resolve("in/data.bin")).hasSameBinaryContentAs(file);
    assertThat(Files.getLastModifiedTime(fixture.root.resolve("in/data.bin"))).isEqualTo(OLD);

    Path back = local.resolve("back.bin");
    fixture.scp("-s", fixture.remote("in/data.bin"), back.toString()).requireSuccess();
    assertThat(back).hasSameBinaryContentAs(file);

    Path tree = Files.createDirectories(tmp.resolve("tree"));
    fixture.scp("-s", "-r", fixture.remote("in"), tree.toString()).requireSuccess();
    assertThat(tree.resolve("in/data.bin")).hasSameBinaryContentAs(file);
  }

  @Test
  void sftpBatchPutGetMkdirChmodRenameAndRemove() throws Exception {
    Path file = write(local.resolve("a.txt"), "alpha");
    Path other = write(local.resolve("b.txt"), "beta");

    fixture
        .sftp(
            "mkdir docs",
            "put -p " + file + " docs/a.txt",
            "put " + other + " docs/b.txt",
            "chmod 640 docs/a.txt",
            "get docs/a.txt " + local.resolve("a-back.txt"),
            "mkdir trash",
            "put " + other + " trash/gone.txt",
            "rm trash/gone.txt",
            "rmdir trash")
        .requireSuccess();

    Path docs = fixture.root.resolve("docs");
    assertThat(docs.resolve("a.txt")).hasContent("alpha");
    assertThat(Files.getLastModifiedTime(docs.resolve("a.txt"))).isEqualTo(OLD);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(docs.resolve("a.txt"))))
        .isEqualTo("rw-r-----");
    assertThat(local.resolve("a-back.txt")).hasContent("alpha");
    assertThat(fixture.root.resolve("trash")).doesNotExist();
  }

  @Test
  void sftpRenameReplacesAnExistingFileThroughPosixRename() throws Exception {
    // The legacy SSH_FXP_RENAME refuses an existing target; OpenSSH's sftp uses
    // posix-rename@openssh.com when the server offers it, and that is how scpsync puts a finished
    // upload in place. So this only passes if the extension is offered and works.
    write(fixture.root.resolve("index.html"), "old");
    Path fresh = write(local.resolve("new.html"), "new");

    fixture.sftp("put " + fresh + " .index.html.part", "rename .index.html.part index.html")
        .requireSuccess();

    assertThat(fixture.root.resolve("index.html")).hasContent("new");
    assertThat(fixture.root.resolve(".index.html.part")).doesNotExist();
  }

  @Test
  void sftpServerAdvertisesPosixRename() throws Exception {
    List<String> command = new ArrayList<>(List.of(OpenSsh.SFTP.toString(), "-vv"));
    command.addAll(fixture.commonOptions(fixture.userKey));
    Path batch = Files.writeString(tmp.resolve("batch"), "pwd\n");
    command.addAll(
        List.of("-P", Integer.toString(fixture.port()), "-b", batch.toString(),
            ReceiverFixture.USER + "@127.0.0.1"));

    OpenSsh.Run run = OpenSsh.run(tmp, command).requireSuccess();

    assertThat(run.stderr().lines())
        .contains("debug2: Server supports extension \"posix-rename@openssh.com\" revision 1");
    assertThat(run.stdout()).contains("Remote working directory: /");
  }

  @Test
  void legacyRenameOntoAnExistingFileIsRefused() throws Exception {
    // Counterpart of the test above: proves the difference there comes from posix-rename.
    write(fixture.root.resolve("index.html"), "old");
    write(fixture.root.resolve("part"), "new");

    OpenSsh.Run run = fixture.sftp("rename -l part index.html");

    assertThat(run.exitCode()).as(run.toString()).isNotZero();
    assertThat(fixture.root.resolve("index.html")).hasContent("old");
  }

  @Test
  void sftpSetsMtimeOfAnExistingFile() throws Exception {
    // What scpsync does after an upload: setstat with the source's mtime and mode.
    Path file = write(local.resolve("t.txt"), "t");
    fixture.sftp("put " + file + " t.txt").requireSuccess();
    assertThat(Files.getLastModifiedTime(fixture.root.resolve("t.txt"))).isNotEqualTo(OLD);

    fixture.sftp("put -p " + file + " t.txt", "chmod 600 t.txt").requireSuccess();

    assertThat(Files.getLastModifiedTime(fixture.root.resolve("t.txt"))).isEqualTo(OLD);
    Path uploaded = fixture.root.resolve("t.txt");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(uploaded)))
        .isEqualTo("rw-------");
  }

  private static Path write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, OLD);
    return file;
  }
}
