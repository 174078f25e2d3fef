package dev.scpsync.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.tree.Entry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetStateTest {
  private static final Instant T = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);

  @TempDir Path dir;
  StateStore store;
  TargetState target;

  @BeforeEach
  void open() throws IOException {
    store = StateStore.open(dir.resolve("state"), dir.resolve("src"));
    target = store.target("sftp://deploy@web1:22/srv/www");
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private static Confirmed file(String path) {
    return Confirmed.of(Entry.file(path, 1, T, 0644));
  }

  private static Confirmed dir(String path) {
    return Confirmed.of(Entry.directory(path, T, 0755));
  }

  private List<String> paths() {
    return List.copyOf(target.synced().asMap().keySet());
  }

  @Test
  void aSubtreeIsThePathAndWhatIsBelowItNotItsLookalikeSiblings() {
    target.record(List.of(dir("a"), dir("a/b"), new Confirmed(Entry.file("a/b/c", 1, T, 0644), "ef".repeat(32), "k1"),
        file("a.txt"), file("a0"), file("ab"), file("a%"), dir("z")));

    assertThat(target.subtree("a")).extracting(r -> r.entry().path()).containsExactly("a", "a/b", "a/b/c");
    assertThat(target.subtree("a/b/c")).containsExactly(
        new SyncedFile(Entry.file("a/b/c", 1, T, 0644), "ef".repeat(32), "k1"));
    assertThat(target.subtree("a%")).extracting(r -> r.entry().path()).containsExactly("a%");
    assertThat(target.subtree("nothing")).isEmpty();
    assertThat(target.subtree("")).hasSize(8);
  }

  @Test
  void everyFieldSurvivesARoundTripIncludingNanosecondsAndNulls() throws IOException {
    Entry file = Entry.file("dir/ä file.txt", 5_000_000_000L, T, 04755);
    Entry dirEntry = Entry.directory("dir", Instant.ofEpochSecond(-86_400, 1), 0700);
    Entry link = Entry.symlink("dir/link", "../elsewhere/x", Instant.ofEpochSecond(0, 999_999_999));
    // Year 9999: past what one 64-bit nanosecond count can hold.
    Entry future = Entry.file("future", 0, Instant.parse("9999-12-31T23:59:59.000000001Z"), 0600);
    target.record(List.of(
        new Confirmed(file, "ab".repeat(32), "(dev=803,ino=1234)"),
        Confirmed.of(dirEntry),
        new Confirmed(link, null, "(dev=803,ino=99)"),
        new Confirmed(future, "cd".repeat(32), null)));

    store.close();
    store = StateStore.open(dir.resolve("state"), dir.resolve("src"));
    target = store.target("sftp://deploy@web1:22/srv/www");

    assertThat(target.synced().entries()).containsExactlyInAnyOrder(file, dirEntry, link, future);
    assertThat(target.get("dir/ä file.txt"))
        .contains(new SyncedFile(file, "ab".repeat(32), "(dev=803,ino=1234)"));
    assertThat(target.get("dir")).contains(new SyncedFile(dirEntry, null, null));
    assertThat(target.get("dir/link")).contains(new SyncedFile(link, null, "(dev=803,ino=99)"));
    assertThat(target.get("future").orElseThrow().entry().mtime())
        .isEqualTo(Instant.parse("9999-12-31T23:59:59.000000001Z"));
    assertThat(target.get("missing")).isEmpty();
    assertThat(target.hashes())
        .containsOnlyKeys("dir/ä file.txt", "future")
        .containsEntry("future", "cd".repeat(32));
    assertThat(target.fileKeys())
        .containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
            "dir/ä file.txt", "(dev=803,ino=1234)", "dir/link", "(dev=803,ino=99)"));
    assertThat(target.size()).isEqualTo(4);
    assertThat(target.isEmpty()).isFalse();
  }

  @Test
  void recordingAPathAgainReplacesItsRowAndDropsStaleBlockHashes() {
    target.record(List.of(new Confirmed(Entry.file("f", 1, T, 0644), "aa", "k1")));
    assertThat(target.recordBlockHashes("f", new byte[] {1, 2, 3})).isTrue();
    assertThat(target.blockHashes("f"))
        .hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));

    Entry newer = Entry.file("f", 2, T.plusNanos(1), 0600);
    target.record(List.of(new Confirmed(newer, "bb", null)));

    assertThat(target.get("f")).contains(new SyncedFile(newer, "bb", null));
    assertThat(target.blockHashes("f")).isEmpty();
    assertThat(target.recordBlockHashes("nope", new byte[] {1})).isFalse();
    assertThat(target.size()).isEqualTo(1);
  }

  @Test
  void deletingASubtreeRemovesExactlyItNotSiblingsWithSimilarNames() {
    List<String> all = List.of(
        "a", "a/b", "a/b/c", "a/b/c/d", "a/b2", "a/b.txt", "a/b-x", "a/b0", "a/bb", "a/ab",
        "a/%", "a/%/x", "a/_", "a/_/y", "a/%b", "a/b%", "a/b_", "a/b\u00e9", "a/b\uD83D\uDE00");
    List<Confirmed> puts = new ArrayList<>();
    for (String p : all) {
      puts.add(p.equals("a") || p.equals("a/b") || p.equals("a/b/c") || p.equals("a/%")
          || p.equals("a/_") ? dir(p) : file(p));
    }
    target.record(puts);

    target.recordDeleted(List.of("a/b"));
    assertThat(paths()).doesNotContain("a/b", "a/b/c", "a/b/c/d")
        .hasSize(all.size() - 3);

    // '%' and '_' are LIKE wildcards; as names they must match only themselves.
    target.recordDeleted(List.of("a/%", "a/_"));
    assertThat(paths()).containsExactlyInAnyOrder(
        "a", "a/b2", "a/b.txt", "a/b-x", "a/b0", "a/bb", "a/ab", "a/%b", "a/b%", "a/b_",
        "a/b\u00e9", "a/b\uD83D\uDE00");

    target.recordDeleted(List.of("a"));
    assertThat(target.isEmpty()).isTrue();
  }

  @Test
  void deletingAPathThatIsNotThereChangesNothing() {
    target.record(List.of(file("x")));
    target.recordDeleted(List.of("y", "x/z"));
    assertThat(paths()).containsExactly("x");
  }

  @Test
  void deletingTheRootOrAnAbsolutePathIsRefused() {
    assertThatThrownBy(() -> target.recordDeleted(List.of("")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> target.recordDeleted(List.of("/etc")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void renamingMovesTheWholeSubtreeAndKeepsEveryField() {
    Entry deep = Entry.file("old/ü/deep.bin", 7, T, 0640);
    target.record(List.of(
        dir("old"), dir("old/ü"), new Confirmed(deep, "ee".repeat(32), "(dev=1,ino=2)"),
        file("old2"), file("old.txt"), file("other")));

    target.recordRenamed("old", "new/place");

    assertThat(paths()).containsExactlyInAnyOrder(
        "new/place", "new/place/ü", "new/place/ü/deep.bin", "old2", "old.txt", "other");
    Entry moved = new Entry("new/place/ü/deep.bin", deep.type(), 7, T, 0640, null);
    assertThat(target.get("new/place/ü/deep.bin"))
        .contains(new SyncedFile(moved, "ee".repeat(32), "(dev=1,ino=2)"));
    assertThat(target.pathForFileKey("(dev=1,ino=2)")).contains("new/place/ü/deep.bin");
  }

  @Test
  void renamingOntoAnExistingPathReplacesWhatWasThere() {
    target.record(List.of(dir("src"), file("src/a"), dir("dst"), file("dst/old"), file("dst2")));
    target.recordRenamed("src", "dst");
    assertThat(paths()).containsExactlyInAnyOrder("dst", "dst/a", "dst2");
  }

  @Test
  void renamingIntoItsOwnSubtreeIsRefused() {
    assertThatThrownBy(() -> target.recordRenamed("a", "a/b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> target.recordRenamed("a/b", "a"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recordingAFileWhereADirectoryWasDropsWhatWasBelowIt() {
    target.record(List.of(dir("a"), file("a/x"), file("a/y/z"), file("a0"), file("a.b")));
    target.record(List.of(file("a")));
    assertThat(paths()).containsExactlyInAnyOrder("a", "a0", "a.b");
  }

  @Test
  void aFileKeyNamesAPathOnlyWhenExactlyOnePathHasIt() {
    target.record(List.of(
        new Confirmed(Entry.file("one", 1, T, 0644), null, "(dev=1,ino=10)"),
        new Confirmed(Entry.file("link1", 1, T, 0644), null, "(dev=1,ino=20)"),
        new Confirmed(Entry.file("link2", 1, T, 0644), null, "(dev=1,ino=20)")));
    assertThat(target.pathForFileKey("(dev=1,ino=10)")).contains("one");
    assertThat(target.pathForFileKey("(dev=1,ino=20)")).as("hard links").isEmpty();
    assertThat(target.pathForFileKey("(dev=1,ino=30)")).isEmpty();
  }

  @Test
  void aBatchThatFailsHalfwayRecordsNothing() throws Exception {
    target.record(List.of(file("before")));
    // A trigger stands in for any failure mid-transaction (disk full, I/O error).
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.file());
        Statement s = c.createStatement()) {
      s.execute("CREATE TRIGGER poison BEFORE INSERT ON synced WHEN NEW.path = 'poison'"
          + " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    }
    List<Confirmed> batch = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      batch.add(file("f" + i));
    }
    batch.add(file("poison"));
    batch.add(file("after"));

    assertThatThrownBy(() -> target.record(batch))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(store.file().toString())
        .hasMessageContaining("injected failure");
    assertThat(paths()).containsExactly("before");

    // The connection is usable again afterwards.
    target.record(List.of(file("later")));
    assertThat(paths()).containsExactly("before", "later");
  }

  @Test
  void workersMayRecordConcurrently() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        int worker = w;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 50; i++) {
            target.record(List.of(file("w" + worker + "/f" + i)));
            target.get("w" + worker + "/f" + i).orElseThrow();
            if (i % 10 == 9) {
              target.recordDeleted(List.of("w" + worker + "/f" + (i - 1)));
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(target.size()).isEqualTo(8 * 45);
  }

  @Test
  void callsAfterCloseAreRefused() throws IOException {
    store.close();
    assertThatThrownBy(() -> target.size()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    store.close();
  }
}
