package dev.scpsync.transport.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.scpsync.testing.LogCapture;
import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.transport.RemoteListing;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.tree.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SftpRemote#list} on servers that run commands lists with one {@code find}: it must give
 * exactly what SFTP's own directory reads give (mtimes in whole seconds, as SFTP v3 has them), and
 * list the tree SFTP sees even where SFTP and a shell start in different directories.
 */
class FindListingOverSftpTest {
  private static final Instant T = Instant.parse("2024-07-08T09:10:11.123456789Z");
  /** What {@link SftpRemote} logs when find listed the tree. */
  private static final String LISTED_BY_FIND = ".*: \\d+ entries listed by find in \\d+ ms";

  @TempDir Path tmp;
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = LogCapture.of("dev.scpsync.transport.sftp", Level.DEBUG);
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  @Test
  void findListsExactlyWhatSftpListsWithMtimesInWholeSeconds() throws Exception {
    try (TestServer server = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("server"))) {
      TestServer.Location remote = server.location(tmp, "dest");
      makeTree(remote.onDisk());
      Map<String, Entry> viaFind = listWithSftpRemote(server, remote.remotePath());
      assertThat(log.messages()).anyMatch(m -> m.matches(LISTED_BY_FIND));
      Map<String, Entry> viaSftp = listWithSftpLister(server, remote.remotePath());

      assertThat(viaFind).isEqualTo(viaSftp);
      assertThat(viaFind).containsKeys("a/b/deep.txt", "a/empty", "link", "x y/ünï.txt", "mode-700");
      assertThat(viaFind.get("a/b/deep.txt").mtime()).isEqualTo(Instant.ofEpochSecond(T.getEpochSecond()));
    }
  }

  @Test
  void whereSftpStartsElsewhereARelativeRootIsListedWhereSftpFindsIt() throws Exception {
    Path start = Files.createDirectories(tmp.resolve("sftp-home"));
    try (TestServer server = TestServer.of(ServerKind.OPENSSH_SFTP,
        OpenSshServer.withSftpStartingIn(tmp.resolve("server"), start))) {
      makeTree(start.resolve("site"));
      // The shell's home (root's) has no "site"; SFTP resolves it in its start directory.
      Map<String, Entry> viaFind = listWithSftpRemote(server, "site");
      assertThat(log.messages()).anyMatch(m -> m.matches(LISTED_BY_FIND));
      assertThat(viaFind).isEqualTo(listWithSftpLister(server, "site"));
      assertThat(viaFind).containsKey("a/b/deep.txt");
    }
  }

  @Test
  void aServerThatRunsNoCommandsIsListedOverSftp() throws Exception {
    try (TestServer server = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("server"))) {
      TestServer.Location remote = server.location(tmp, "dest");
      makeTree(remote.onDisk());
      Map<String, Entry> listed = listWithSftpRemote(server, remote.remotePath());
      assertThat(listed).isEqualTo(listWithSftpLister(server, remote.remotePath()));
      assertThat(listed).containsKey("a/b/deep.txt");
      assertThat(log.messages()).anyMatch(m -> m.contains("listing over SFTP from now on"));
    }
  }

  private static void makeTree(Path root) throws Exception {
    Files.createDirectories(root.resolve("a/b"));
    Files.createDirectories(root.resolve("a/empty"));
    Files.createDirectories(root.resolve("x y"));
    Files.writeString(root.resolve("a/b/deep.txt"), "deep\n");
    Files.writeString(root.resolve("x y/ünï.txt"), "unicode name\n");
    Files.write(root.resolve("a/big.bin"), new byte[300_000]);
    Path secret = Files.writeString(root.resolve("mode-700"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
    Files.createSymbolicLink(root.resolve("link"), Path.of("a/b/deep.txt"));
    try (var walk = Files.walk(root)) {
      for (Path p : walk.filter(p -> !Files.isSymbolicLink(p)).sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.setLastModifiedTime(p, FileTime.from(T));
      }
    }
  }

  private static Map<String, Entry> listWithSftpRemote(TestServer server, String root) throws Exception {
    try (SshConnector connector = new SshConnector(server.sshOptions());
        ClientSession session = connector.connect(TargetSpec.parse(server.target(root)))) {
      SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
      try (SftpRemote remote = new SftpRemote(session, root, "test", sftp, 1)) {
        return byPath(remote.list());
      }
    }
  }

  private static Map<String, Entry> listWithSftpLister(TestServer server, String root) throws Exception {
    try (SshConnector connector = new SshConnector(server.sshOptions());
        ClientSession session = connector.connect(TargetSpec.parse(server.target(root)));
        SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
        var workers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      return byPath(new SftpLister(sftp, workers, p -> root + "/" + p, root, "test").list());
    }
  }

  private static Map<String, Entry> byPath(RemoteListing listing) {
    assertThat(listing.rootExists()).isTrue();
    assertThat(listing.tree().problems()).isEmpty();
    return new TreeMap<>(listing.tree().asMap());
  }
}
