package dev.scpsync.transport.scp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.testing.RecordingTransfers;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names built to break out of a shell command line (CVE-2020-15778 class) go through every
 * operation as plain names: they end up on disk exactly as given, and none of their commands run.
 */
class ScpHostileNamesTest {
  private static final List<String> NAMES =
      List.of(
          "$(touch pwned-dollar)",
          "`touch pwned-backtick`",
          "x;touch pwned-semicolon",
          "x|touch pwned-pipe",
          "x&&touch pwned-and",
          "x\ttouch pwned-tab",
          ">pwned-redirect",
          "it's \"quoted\" 'twice'",
          " leading and trailing ",
          "-rf",
          "--",
          "-",
          "*",
          "?",
          "a\\b",
          "$HOME",
          "!bang",
          "~tilde",
          "#hash",
          "ünïcødé ✓");
  private static final String HOSTILE_DIR = "$(touch pwned-dir);`touch pwned-dir2`";
  private static final Instant T = Instant.parse("2022-02-02T02:02:02.020202Z");

  @TempDir static Path shared;
  static ScpOnlyServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = ScpOnlyServer.start(shared.resolve("sshd"));
  }

  @AfterAll
  static void stopServer() throws IOException {
    server.close();
  }

  private static List<Path> sideEffects() throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path dir : List.of(shared, Path.of(System.getProperty("user.home")), Path.of("/tmp"))) {
      try (Stream<Path> all = Files.walk(dir, dir.equals(shared) ? Integer.MAX_VALUE : 1)) {
        all.filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith("pwned"))
            .forEach(found::add);
      }
    }
    return found;
  }

  @Test
  void hostileNamesAreCreatedListedFetchedChangedAndDeletedAsPlainNames() throws Exception {
    assertThat(sideEffects()).as("side-effect files before the test").isEmpty();
    // The root itself has a hostile name too.
    Path root =
        Files.createDirectories(shared.resolve("root $(touch pwned-root) 'q' `touch pwned-root2`"));
    Path local = Files.createDirectories(shared.resolve("local"));
    List<FileTransfer> files = new ArrayList<>();
    List<Entry> all = new ArrayList<>();
    all.add(Entry.directory(HOSTILE_DIR, T, 0755));
    int i = 0;
    for (String name : NAMES) {
      for (String path : List.of(name, HOSTILE_DIR + "/" + name)) {
        Path source = local.resolve("src" + i++);
        Files.writeString(source, "content of " + path);
        Entry entry = Entry.file(path, Files.size(source), T, 0640);
        files.add(new FileTransfer(entry, source));
        all.add(entry);
      }
    }

    for (boolean posixListing : new boolean[] {false, true}) {
      try (ScpRemote remote = server.open(root, posixListing)) {
        assertThat(remote.mkdirs(List.of(all.get(0)))).isEmpty();
        RecordingTransfers uploaded = new RecordingTransfers();
        remote.upload(files, uploaded);
        assertThat(uploaded.failed).isEmpty();
        assertThat(uploaded.done).hasSize(files.size());
        for (FileTransfer f : files) {
          Path there = root.resolve(f.entry().path());
          assertThat(there).as(f.entry().path()).hasContent("content of " + f.entry().path());
        }
        try (Stream<Path> top = Files.list(root)) {
          assertThat(top.map(p -> p.getFileName().toString()))
              .containsExactlyInAnyOrderElementsOf(concat(NAMES, HOSTILE_DIR));
        }

        Snapshot listed = remote.list().tree();
        assertThat(listed.problems()).isEmpty();
        assertThat(listed.asMap().keySet())
            .containsExactlyInAnyOrderElementsOf(all.stream().map(Entry::path).toList());

        Path down = Files.createDirectories(local.resolve("down-" + posixListing));
        List<FileTransfer> downloads = new ArrayList<>();
        for (int k = 0; k < files.size(); k++) {
          downloads.add(new FileTransfer(files.get(k).entry(), down.resolve("d" + k)));
        }
        RecordingTransfers downloaded = new RecordingTransfers();
        remote.download(downloads, downloaded);
        assertThat(downloaded.failed).isEmpty();
        for (int k = 0; k < files.size(); k++) {
          assertThat(downloads.get(k).local())
              .hasSameTextualContentAs(files.get(k).local(), StandardCharsets.UTF_8);
        }

        assertThat(
                remote.setAttributes(
                    files.stream()
                        .map(f -> Entry.file(f.entry().path(), f.entry().size(), T, 0600))
                        .toList()))
            .isEmpty();
        assertThat(ScpRemoteTest.mode(root.resolve(NAMES.get(0)))).isEqualTo(0600);

        assertThat(remote.delete(all.subList(0, 1 + NAMES.size()))).isEmpty();
        assertThat(remote.delete(all)).isEmpty();
        try (Stream<Path> left = Files.list(root)) {
          assertThat(left).isEmpty();
        }
      }
    }
    assertThat(sideEffects()).as("files created by commands hidden in names").isEmpty();
  }

  private static List<String> concat(List<String> names, String more) {
    List<String> all = new ArrayList<>(names);
    all.add(more);
    return all;
  }
}
