package dev.scpsync.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing outside the served root can be read or written, by path or through symlinks, with
 * OpenSSH's sftp, scp in SFTP mode, and legacy scp.
 *
 * <p>Layout: {@code tmp/server/root} is served; {@code tmp/outside/secret.txt} and {@code
 * tmp/server/sibling.txt} are what an escape would reach. Symlinks inside the root, as an operator
 * might have left them, point outside.
 */
class ConfinementTest {
  private static final String SECRET = "TOP SECRET";

  @TempDir Path tmp;
  private ReceiverFixture fixture;
  private Path outside;
  private Path payload;
  private Path downloads;

  @BeforeEach
  void start() throws Exception {
    OpenSsh.requireClients();
    fixture = ReceiverFixture.start(tmp.resolve("server"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), SECRET);
    Files.writeString(fixture.root.getParent().resolve("sibling.txt"), SECRET);
    Path root = fixture.root;
    Files.createSymbolicLink(root.resolve("out"), outside);
    Files.createSymbolicLink(root.resolve("rel-out"), Path.of("../../outside"));
    Files.createSymbolicLink(root.resolve("secret-link"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("dangling"), outside.resolve("created.txt"));
    payload = Files.writeString(tmp.resolve("payload.txt"), "planted");
    downloads = Files.createDirectories(tmp.resolve("downloads"));
  }

  @AfterEach
  void stop() throws IOException {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void sftpCannotReadThroughDotDotAbsolutePathsOrSymlinks() throws Exception {
    for (String path :
        new String[] {
          "../sibling.txt",
          "/../sibling.txt",
          "../../outside/secret.txt",
          outside.resolve("secret.txt").toString(),
          "/out/secret.txt",
          "rel-out/secret.txt",
          "secret-link",
          "/etc/passwd",
        }) {
      Path target = downloads.resolve("got");
      OpenSsh.Run run = fixture.sftp("get " + path + " " + target);
      assertThat(run.exitCode()).as(run.toString()).isNotZero();
      assertThat(target).as(path).doesNotExist();
    }
  }

  @Test
  void sftpCannotListADirectoryOutside() throws Exception {
    // "ls out" only shows the link itself; a glob makes sftp read the directory it points to.
    for (String path : new String[] {"out/*", "rel-out/*", "out/secret.txt"}) {
      OpenSsh.Run run = fixture.sftp("ls -l " + path);
      assertThat(run.exitCode()).as(run.toString()).isNotZero();
      assertThat(run.stdout().lines().filter(line -> !line.startsWith("sftp>")))
          .as(run.toString())
          .noneMatch(line -> line.contains("secret"));
    }
  }

  @Test
  void sftpCannotWriteThroughSymlinks() throws Exception {
    for (String path : new String[] {"out/planted.txt", "rel-out/planted.txt", "dangling"}) {
      OpenSsh.Run run = fixture.sftp("put " + payload + " " + path);
      assertThat(run.exitCode()).as(run.toString()).isNotZero();
    }
    assertThat(outside).isDirectoryContaining(p -> p.endsWith("secret.txt"));
    assertThat(Files.list(outside).count()).isEqualTo(1);
    assertThat(outside.resolve("secret.txt")).hasContent(SECRET);
  }

  @Test
  void sftpWriteWithDotDotStaysInsideTheRoot() throws Exception {
    OpenSsh.Run run = fixture.sftp("put " + payload + " ../../planted.txt");

    // Either refused or written inside: never next to the root.
    assertThat(fixture.root.getParent().resolve("planted.txt")).doesNotExist();
    assertThat(tmp.resolve("planted.txt")).doesNotExist();
    if (run.exitCode() == 0) {
      assertThat(fixture.root.resolve("planted.txt")).hasContent("planted");
    }
  }

  @Test
  void sftpCannotChangeOrDeleteWhatASymlinkPointsTo() throws Exception {
    OpenSsh.Run chmod = fixture.sftp("chmod 777 secret-link");
    OpenSsh.Run rm = fixture.sftp("rm out/secret.txt");

    assertThat(chmod.exitCode()).as(chmod.toString()).isNotZero();
    assertThat(rm.exitCode()).as(rm.toString()).isNotZero();
    assertThat(outside.resolve("secret.txt")).hasContent(SECRET);
    assertThat(Files.getPosixFilePermissions(outside.resolve("secret.txt")))
        .doesNotContain(PosixFilePermission.OTHERS_WRITE);
  }

  @Test
  void symlinksCreatedOverSftpDoNotLeadOutside() throws Exception {
    String secret = outside.resolve("secret.txt").toString();
    // Each batch line is its own run: sftp -b stops at the first failing command.
    fixture.sftp("ln -s " + secret + " abs-link"); // rooted by MINA: points into the root
    OpenSsh.Run relative = fixture.sftp("ln -s ../../outside/secret.txt rel-link");
    fixture.sftp("ln -s / top");
    OpenSsh.Run viaTop = fixture.sftp("ln -s top/.. up");
    OpenSsh.Run hard = fixture.sftp("ln secret-link hard-link");

    assertThat(relative.exitCode()).as(relative.toString()).isNotZero();
    assertThat(viaTop.exitCode()).as(viaTop.toString()).isNotZero();
    assertThat(hard.exitCode()).as(hard.toString()).isNotZero();
    for (String path :
        new String[] {"abs-link", "rel-link", "up/sibling.txt", "top/../sibling.txt",
          "hard-link"}) {
      Path target = downloads.resolve("got");
      OpenSsh.Run get = fixture.sftp("get " + path + " " + target);
      assertThat(get.exitCode()).as(get.toString()).isNotZero();
      assertThat(target).as(path).doesNotExist();
    }
  }

  @Test
  void symlinksInsideTheRootStillWork() throws Exception {
    // The guard must not break links that stay inside: they are part of a synced tree.
    Files.createDirectories(fixture.root.resolve("docs"));
    Files.writeString(fixture.root.resolve("docs/readme.txt"), "read me");
    Files.createSymbolicLink(fixture.root.resolve("readme"), Path.of("docs/readme.txt"));
    Files.createSymbolicLink(fixture.root.resolve("docs-abs"), fixture.root.resolve("docs"));

    fixture
        .sftp(
            "get readme " + downloads.resolve("a.txt"),
            "get docs-abs/readme.txt " + downloads.resolve("b.txt"),
            "ln -s docs/readme.txt made-link",
            "get made-link " + downloads.resolve("c.txt"))
        .requireSuccess();

    assertThat(downloads.resolve("a.txt")).hasContent("read me");
    assertThat(downloads.resolve("b.txt")).hasContent("read me");
    assertThat(downloads.resolve("c.txt")).hasContent("read me");
  }

  @Test
  void aDirectoryHoldingLinksThatPointOutsideCanStillBeListed() throws Exception {
    // Listing lstat()s each entry; refusing those links there would make the whole root
    // unlistable, and with it every sync into it.
    OpenSsh.Run run = fixture.sftp("ls -l /").requireSuccess();

    assertThat(run.stdout()).contains(" out", " secret-link", " dangling");
  }

  @Test
  void aLinkThatPointsOutsideCanBeDeletedButNotWhatItPointsTo() throws Exception {
    fixture.sftp("rm secret-link").requireSuccess();

    assertThat(fixture.root.resolve("secret-link")).doesNotExist();
    assertThat(outside.resolve("secret.txt")).hasContent(SECRET);
  }

  @Test
  void legacyScpCannotReadOrWriteOutside() throws Exception {
    Path target = downloads.resolve("got");
    for (String path :
        new String[] {"out/secret.txt", "secret-link", "../sibling.txt", "rel-out/secret.txt"}) {
      OpenSsh.Run run = fixture.scp("-O", fixture.remote(path), target.toString());
      assertThat(run.exitCode()).as(run.toString()).isNotZero();
      assertThat(target).as(path).doesNotExist();
    }

    for (String path : new String[] {"out/planted.txt", "out/", "dangling", "rel-out/x.txt"}) {
      OpenSsh.Run run = fixture.scp("-O", payload.toString(), fixture.remote(path));
      assertThat(run.exitCode()).as(run.toString()).isNotZero();
    }
    OpenSsh.Run dir = fixture.scp("-O", "-r", downloads.toString(), fixture.remote("out"));
    assertThat(dir.exitCode()).as(dir.toString()).isNotZero();
    fixture.scp("-O", payload.toString(), fixture.remote("../planted.txt"));

    assertThat(Files.list(outside).count()).isEqualTo(1);
    assertThat(fixture.root.getParent().resolve("planted.txt")).doesNotExist();
  }

  @Test
  void scpInSftpModeCannotReadOrWriteOutside() throws Exception {
    Path target = downloads.resolve("got");
    for (String path : new String[] {"/out/secret.txt", "secret-link", "../sibling.txt"}) {
      OpenSsh.Run run = fixture.scp("-s", fixture.remote(path), target.toString());
      assertThat(run.exitCode()).as(run.toString()).isNotZero();
      assertThat(target).as(path).doesNotExist();
    }
    OpenSsh.Run up = fixture.scp("-s", payload.toString(), fixture.remote("/out/planted.txt"));
    assertThat(up.exitCode()).as(up.toString()).isNotZero();
    assertThat(Files.list(outside).count()).isEqualTo(1);
  }
}
