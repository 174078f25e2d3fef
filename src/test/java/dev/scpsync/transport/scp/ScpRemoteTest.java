package dev.scpsync.transport.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.testing.Processes;
import dev.scpsync.testing.RecordingTransfers;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.Protocol;
import dev.scpsync.transport.RemoteListing;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import dev.scpsync.tree.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ScpRemote} against a real OpenSSH sshd that has no SFTP subsystem. */
class ScpRemoteTest {
  private static final Instant T1 = Instant.parse("2021-03-04T05:06:07.123456789Z");
  private static final Instant T2 = Instant.parse("2019-12-31T23:59:59.000001Z");

  @TempDir static Path shared;
  static ScpOnlyServer server;

  @TempDir Path local;
  Path root;

  @BeforeAll
  static void startServer() throws Exception {
    server = ScpOnlyServer.start(shared.resolve("sshd"));
  }

  @AfterAll
  static void stopServer() throws IOException {
    server.close();
  }

  @BeforeEach
  void freshRoot() throws IOException {
    root = Files.createTempDirectory(shared, "remote-");
  }

  private FileTransfer localFile(String path, byte[] content, Instant mtime, int mode)
      throws IOException {
    Path file = local.resolve("src-" + path.replace('/', '_').replace('\n', '_'));
    Files.write(file, content);
    return new FileTransfer(Entry.file(path, content.length, mtime, mode), file);
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
  }

  static List<Path> leftovers(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(p -> p.getFileName().toString().contains(".scpsync-")).toList();
    }
  }

  private List<FileTransfer> uploadSample(ScpRemote remote) throws IOException {
    assertThat(
            remote.mkdirs(
                List.of(
                    Entry.directory("a", T1, 0755),
                    Entry.directory("a/b", T1, 0700),
                    Entry.directory("c", T1, 0750))))
        .isEmpty();
    List<FileTransfer> files =
        List.of(
            localFile("empty", new byte[0], T1, 0644),
            localFile("a/one", new byte[] {42}, T2, 0600),
            localFile("a/b/big", random(3 * 1024 * 1024 + 17), T1, 0755),
            localFile("c/shared", random(1000), T2, 0664),
            localFile("c/setgid", random(10), T1, 02755));
    RecordingTransfers listener = new RecordingTransfers();
    remote.upload(files, listener);
    assertThat(listener.failed).isEmpty();
    assertThat(listener.done)
        .containsExactlyInAnyOrderElementsOf(files.stream().map(f -> f.entry().path()).toList());
    assertThat(listener.bytes).isEqualTo(files.stream().mapToLong(f -> f.entry().size()).sum());
    return files;
  }

  @Test
  void uploadsABatchIntoNestedDirectoriesWithExactModesAndMicrosecondTimes() throws Exception {
    try (ScpRemote remote = server.open(root)) {
      assertThat(remote.protocol()).isEqualTo(Protocol.SCP);
      List<FileTransfer> files = uploadSample(remote);
      for (FileTransfer f : files) {
        Path there = root.resolve(f.entry().path());
        assertThat(there).hasSameBinaryContentAs(f.local());
        assertThat(mode(there)).as(f.entry().path()).isEqualTo(f.entry().mode());
        assertThat(Files.getLastModifiedTime(there).toInstant())
            .as(f.entry().path())
            .isEqualTo(f.entry().mtime().truncatedTo(ChronoUnit.MICROS));
      }
      assertThat(mode(root.resolve("a/b"))).isEqualTo(0700);
      assertThat(leftovers(root)).isEmpty();
    }
  }

  @Test
  void replacesExistingFilesWholesale() throws Exception {
    Files.writeString(root.resolve("f"), "old content that is longer");
    try (ScpRemote remote = server.open(root)) {
      RecordingTransfers listener = new RecordingTransfers();
      remote.upload(List.of(localFile("f", "new".getBytes(), T1, 0640)), listener);
      assertThat(listener.done).containsExactly("f");
    }
    assertThat(root.resolve("f")).hasContent("new");
    assertThat(mode(root.resolve("f"))).isEqualTo(0640);
  }

  @Test
  void downloadsIntoExactlyTheGivenLocalPaths() throws Exception {
    try (ScpRemote remote = server.open(root)) {
      List<FileTransfer> uploaded = uploadSample(remote);
      Path into = Files.createDirectory(local.resolve("down"));
      List<FileTransfer> downloads = new ArrayList<>();
      for (FileTransfer f : uploaded) {
        downloads.add(new FileTransfer(f.entry(), into.resolve(f.entry().name() + ".part")));
      }
      RecordingTransfers listener = new RecordingTransfers();
      remote.download(downloads, listener);
      assertThat(listener.failed).isEmpty();
      assertThat(listener.done).hasSize(uploaded.size());
      for (int i = 0; i < uploaded.size(); i++) {
        assertThat(downloads.get(i).local()).hasSameBinaryContentAs(uploaded.get(i).local());
      }
      try (Stream<Path> written = Files.list(into)) {
        assertThat(written).hasSize(uploaded.size());
      }
    }
  }

  @Test
  void aDownloadWhoseSizeNoLongerMatchesTheListingFailsAndLeavesNoFile() throws Exception {
    Files.writeString(root.resolve("grew"), "0123456789");
    Files.writeString(root.resolve("same"), "abc");
    try (ScpRemote remote = server.open(root)) {
      RecordingTransfers listener = new RecordingTransfers();
      Path grew = local.resolve("grew.part");
      remote.download(
          List.of(
              new FileTransfer(Entry.file("grew", 4, T1, 0644), grew),
              new FileTransfer(Entry.file("missing", 4, T1, 0644), local.resolve("missing.part")),
              new FileTransfer(Entry.file("same", 3, T1, 0644), local.resolve("same.part"))),
          listener);
      assertThat(listener.failed.get("grew")).hasMessageContaining("10 bytes");
      assertThat(listener.failed.get("missing")).hasMessageContaining("No such file");
      assertThat(listener.done).containsExactly("same");
      assertThat(grew).doesNotExist();
      assertThat(local.resolve("missing.part")).doesNotExist();
      assertThat(local.resolve("same.part")).hasContent("abc");
    }
  }

  @Test
  void listsTypesSizesModesNanosecondTimesAndSymlinksWithoutFollowingThem() throws Exception {
    Path dir = Files.createDirectories(root.resolve("d/sub"));
    Files.write(dir.resolve("f"), new byte[5]);
    Files.setLastModifiedTime(dir.resolve("f"), FileTime.from(T1));
    Files.setPosixFilePermissions(
        dir.resolve("f"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    Files.writeString(root.resolve("new\nline"), "x");
    Path outside = Files.createDirectories(shared.resolve("outside-" + root.getFileName()));
    Files.writeString(outside.resolve("secret"), "s");
    Files.createSymbolicLink(root.resolve("link"), outside);
    Processes.runOk(
        List.of(
            "sh", "-c", "cd \"$0\" && printf x > \"$(printf 'bad\\377name')\"", root.toString()));
    for (boolean posix : new boolean[] {false, true}) {
      try (ScpRemote remote = server.open(root, posix)) {
        RemoteListing listing = remote.list();
        assertThat(listing.rootExists()).isTrue();
        Snapshot tree = listing.tree();
        assertThat(tree.asMap().keySet())
            .as("posix=" + posix)
            .containsExactlyInAnyOrder("d", "d/sub", "d/sub/f", "new\nline", "link");
        Entry f = tree.get("d/sub/f");
        assertThat(f.isFile()).isTrue();
        assertThat(f.size()).isEqualTo(5);
        assertThat(f.mode()).isEqualTo(0640);
        assertThat(f.mtime()).isEqualTo(posix ? T1.truncatedTo(ChronoUnit.SECONDS) : T1);
        assertThat(tree.get("d").isDirectory()).isTrue();
        assertThat(tree.get("link").isSymlink()).isTrue();
        assertThat(tree.get("link").linkTarget()).isEqualTo(outside.toString());
        assertThat(tree.problems())
            .extracting(Problem::message)
            .anyMatch(m -> m.contains("not valid UTF-8"));
      }
    }
  }

  @Test
  void aMissingRootIsReportedAndAFileRootRefused() throws Exception {
    try (ScpRemote remote = server.open(root.resolve("nope"))) {
      RemoteListing listing = remote.list();
      assertThat(listing.rootExists()).isFalse();
      assertThat(listing.tree().size()).isZero();
    }
    Files.writeString(root.resolve("file"), "x");
    try (ScpRemote remote = server.open(root.resolve("file"))) {
      assertThatThrownBy(remote::list)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("is not a directory");
    }
  }

  @Test
  void createRootMakesParentsAndSaysWhyItCannot() throws Exception {
    try (ScpRemote remote = server.open(root.resolve("x/y/z"))) {
      remote.createRoot();
      remote.createRoot();
    }
    assertThat(root.resolve("x/y/z")).isDirectory();
    Files.writeString(root.resolve("file"), "x");
    try (ScpRemote remote = server.open(root.resolve("file"))) {
      assertThatThrownBy(remote::createRoot).hasMessageContaining("exists and is not a directory");
    }
    try (ScpRemote remote = server.open(root.resolve("file/below"))) {
      assertThatThrownBy(remote::createRoot).hasMessageContaining("Not a directory");
    }
  }

  @Test
  void setAttributesSetsModesAndNanosecondTimesPerPath() throws Exception {
    Files.createDirectory(root.resolve("d"));
    Files.writeString(root.resolve("d/f"), "x");
    try (ScpRemote remote = server.open(root)) {
      List<Problem> problems =
          remote.setAttributes(
              List.of(
                  Entry.file("d/f", 1, T1, 0604),
                  Entry.directory("d", T2, 0711),
                  Entry.file("missing", 1, T1, 0644),
                  Entry.symlink("l", "t", T1)));
      assertThat(problems).extracting(Problem::path).containsExactlyInAnyOrder("missing", "l");
    }
    assertThat(mode(root.resolve("d/f"))).isEqualTo(0604);
    assertThat(Files.getLastModifiedTime(root.resolve("d/f")).toInstant()).isEqualTo(T1);
    assertThat(mode(root.resolve("d"))).isEqualTo(0711);
    assertThat(Files.getLastModifiedTime(root.resolve("d")).toInstant()).isEqualTo(T2);
  }

  @Test
  void mkdirsAndDeleteWorkPerPathInOneBatch() throws Exception {
    Files.writeString(root.resolve("blocker"), "x");
    try (ScpRemote remote = server.open(root)) {
      List<Problem> made =
          remote.mkdirs(
              List.of(
                  Entry.directory("p", T1, 0755), Entry.directory("p/q", T1, 0750),
                  Entry.directory("blocker/x", T1, 0755), Entry.directory("../escape", T1, 0755)));
      assertThat(made)
          .extracting(Problem::path)
          .containsExactlyInAnyOrder("blocker/x", "../escape");
      assertThat(made)
          .filteredOn(p -> p.path().equals("blocker/x"))
          .singleElement()
          .satisfies(
              p ->
                  assertThat(p.message())
                      .contains("cannot create directory")
                      .contains("Not a directory"));
      assertThat(mode(root.resolve("p/q"))).isEqualTo(0750);
      Files.writeString(root.resolve("p/q/f"), "x");
      List<Problem> deleted =
          remote.delete(
              List.of(
                  Entry.directory("p", T1, 0755),
                  Entry.file("blocker", 1, T1, 0644),
                  Entry.file("gone", 1, T1, 0644)));
      assertThat(deleted).isEmpty();
    }
    try (Stream<Path> left = Files.list(root)) {
      assertThat(left).isEmpty();
    }
    assertThat(shared.resolve("escape")).doesNotExist();
  }

  @Test
  void aNameWithANewlineIsRefusedNotMangledAndTheBatchGoesOn() throws Exception {
    try (ScpRemote remote = server.open(root)) {
      RecordingTransfers listener = new RecordingTransfers();
      remote.upload(
          List.of(
              localFile("before", "1".getBytes(), T1, 0644),
              localFile("new\nline", "2".getBytes(), T1, 0644),
              localFile("carriage\rreturn", "3".getBytes(), T1, 0644),
              localFile("after", "4".getBytes(), T1, 0644)),
          listener);
      assertThat(listener.done).containsExactlyInAnyOrder("before", "after");
      assertThat(listener.failed.get("new\nline")).hasMessageContaining("newline");
      assertThat(listener.failed.get("carriage\rreturn")).hasMessageContaining("carriage return");
    }
    try (Stream<Path> left = Files.list(root)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("before", "after");
    }
  }

  @Test
  void failuresOfSomeFilesDoNotStopTheBatchAndLeaveNoTemporaryFiles() throws Exception {
    Files.writeString(root.resolve("blocker"), "a regular file where a directory should be");
    Files.createDirectories(root.resolve("dir/sub"));
    try (ScpRemote remote = server.open(root)) {
      RecordingTransfers listener = new RecordingTransfers();
      FileTransfer vanished = localFile("vanished", "x".getBytes(), T1, 0644);
      Files.delete(vanished.local());
      FileTransfer changed =
          new FileTransfer(
              Entry.file("changed", 99, T1, 0644),
              localFile("x", "short".getBytes(), T1, 0644).local());
      remote.upload(
          List.of(
              localFile("blocker/inside", "1".getBytes(), T1, 0644),
              localFile("blocker/deeper/inside", "2".getBytes(), T1, 0644),
              vanished,
              changed,
              localFile("dir/sub", "3".getBytes(), T1, 0644),
              localFile("dir/ok", "4".getBytes(), T1, 0644),
              localFile("top", "5".getBytes(), T1, 0644)),
          listener);
      assertThat(listener.done).containsExactlyInAnyOrder("dir/ok", "top");
      assertThat(listener.failed.keySet())
          .containsExactlyInAnyOrder(
              "blocker/inside", "blocker/deeper/inside", "vanished", "changed", "dir/sub");
      assertThat(listener.failed.get("blocker/inside")).hasMessageContaining("Not a directory");
      assertThat(listener.failed.get("dir/sub")).hasMessageContaining("is a directory");
    }
    assertThat(root.resolve("dir/ok")).hasContent("4");
    assertThat(root.resolve("blocker")).isRegularFile();
    assertThat(root.resolve("dir/sub")).isDirectory();
    assertThat(leftovers(root)).isEmpty();
  }

  @Test
  void aLocalFileThatChangesWhileBeingSentFailsWithoutTouchingTheFinalPath() throws Exception {
    Files.writeString(root.resolve("shrinks"), "previous");
    long mib = 1024 * 1024;
    FileTransfer shrinks = localFile("shrinks", random(3 * (int) mib), T1, 0644);
    FileTransfer grows = localFile("grows", random(2 * (int) mib), T1, 0644);
    try (ScpRemote remote = server.open(root)) {
      RecordingTransfers listener =
          new RecordingTransfers() {
            @Override
            public void bytes(long count) {
              super.bytes(count);
              try {
                // Files go in the order given, in 1 MiB chunks: change each one after its first
                // chunk.
                if (bytes == mib) {
                  Files.write(shrinks.local(), new byte[10]);
                }
                if (bytes == 4 * mib) {
                  Files.write(grows.local(), new byte[1], java.nio.file.StandardOpenOption.APPEND);
                }
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          };
      remote.upload(
          List.of(shrinks, grows, localFile("steady", "ok".getBytes(), T1, 0644)), listener);
      assertThat(listener.failed.get("shrinks")).hasMessageContaining("shrank while being sent");
      assertThat(listener.failed.get("grows")).hasMessageContaining("grew while being sent");
      assertThat(listener.done).containsExactly("steady");
    }
    assertThat(root.resolve("shrinks")).hasContent("previous");
    assertThat(root.resolve("grows")).doesNotExist();
    assertThat(leftovers(root)).isEmpty();
  }

  @Test
  void anUploadIntoAMissingRootFailsAsAWhole() throws Exception {
    try (ScpRemote remote = server.open(root.resolve("absent"))) {
      assertThatThrownBy(
              () ->
                  remote.upload(
                      List.of(localFile("f", "x".getBytes(), T1, 0644)), new RecordingTransfers()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("No such file or directory");
    }
  }
}
