package dev.scpsync.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The coalescer on a fake clock and a fake filesystem: no sleeps, exact times. */
class ChangeCoalescerTest {
  private final FakeTicker clock = new FakeTicker();
  private final FakeFiles files = new FakeFiles(clock);
  private final ChangeCoalescer coalescer = coalescer(WatchOptions.defaults(), 100_000);

  private ChangeCoalescer coalescer(WatchOptions options, int maxTrackedPaths) {
    return new ChangeCoalescer(clock, files, options, maxTrackedPaths);
  }

  /** Advances the clock 1 ms at a time for {@code millis}, collecting everything drained. */
  private List<DirtyPath> runFor(long millis) {
    List<DirtyPath> out = new ArrayList<>();
    for (long i = 0; i < millis; i++) {
      clock.advanceMillis(1);
      out.addAll(coalescer.drain());
    }
    return out;
  }

  @Test
  void manyEventsForOnePathBecomeOneHint() {
    files.write("a.txt", 1);
    for (int i = 0; i < 100; i++) {
      coalescer.change("a.txt", i == 0);
      clock.advance(Duration.ofNanos(100_000));
    }
    assertThat(runFor(100)).containsExactly(DirtyPath.of("a.txt", 1));
  }

  @Test
  void aPathIsReportedOnceItHasBeenQuietForTheDebounceWindow() {
    files.write("a.txt", 1);
    coalescer.change("a.txt", true);
    clock.advanceMillis(15);
    coalescer.change("a.txt", false); // restarts the window
    clock.advanceMillis(19);
    assertThat(coalescer.drain()).as("15 + 19 ms: quiet for only 19").isEmpty();
    clock.advanceMillis(1);
    assertThat(coalescer.drain()).containsExactly(DirtyPath.of("a.txt", 1));
    assertThat(coalescer.drain()).isEmpty();
  }

  @Test
  void nextDueSaysWhenToWakeAndNothingPendingMeansNever() {
    assertThat(coalescer.nextDue()).isEqualTo(Long.MAX_VALUE);
    files.write("a", 1);
    coalescer.change("a", true);
    assertThat(coalescer.nextDue()).isEqualTo(clock.read() + Duration.ofMillis(20).toNanos());
  }

  @Test
  void pathsChangedTogetherComeOutTogetherInPathOrder() {
    for (String p : List.of("b", "a/x", "c")) {
      files.write(p, 1);
      coalescer.change(p, true);
    }
    clock.advanceMillis(20);
    assertThat(coalescer.drain())
        .containsExactly(DirtyPath.of("a/x", 1), DirtyPath.of("b", 1), DirtyPath.of("c", 1));
  }

  @Test
  void aFileThatGrowsForTwoSecondsIsReportedOnceAfterItSettles() {
    long size = 0;
    List<DirtyPath> out = new ArrayList<>();
    for (int ms = 0; ms < 2_000; ms += 5) {
      files.write("big.iso", size += 4096);
      coalescer.change("big.iso", ms == 0);
      clock.advanceMillis(5);
      out.addAll(coalescer.drain());
    }
    assertThat(out).as("while it grows").isEmpty();

    // Last write at 1,995 ms, first quiet look at 2,015 ms. It was written for longer than settle,
    // so it is held until settle after the last write (2,495 ms), when a second look agrees.
    assertThat(runFor(494)).as("until 2,494 ms").isEmpty();
    assertThat(runFor(1)).as("with the size it settled at").containsExactly(DirtyPath.of("big.iso", 400 * 4096));
    assertThat(runFor(2_000)).isEmpty();
  }

  @Test
  void aSlowWriterIsReportedAtItsFirstPauseThenHeldUntilItSettles() {
    List<DirtyPath> out = new ArrayList<>();
    for (int write = 0; write < 20; write++) { // a write every 100 ms for 2 s
      files.write("download.part", (write + 1) * 1000L);
      coalescer.change("download.part", write == 0);
      out.addAll(runFor(100));
    }
    // Without close-after-write events the first pause looks like the end; after that, the file
    // is known to be moving and is held.
    assertThat(out).containsExactly(DirtyPath.of("download.part", 1000));

    // Last write at 1,900 ms: reported settle later, at 2,400 ms.
    assertThat(runFor(399)).isEmpty();
    assertThat(runFor(1)).containsExactly(DirtyPath.of("download.part", 20_000));
  }

  @Test
  void aHotFileThatChangesWithoutAnEventIsHeldAgain() {
    files.write("mapped.db", 1);
    coalescer.change("mapped.db", true);
    clock.advanceMillis(20);
    assertThat(coalescer.drain()).containsExactly(DirtyPath.of("mapped.db", 1));
    coalescer.change("mapped.db", false); // hot now: changed again right after its report
    clock.advanceMillis(20);
    assertThat(coalescer.drain()).as("first look").isEmpty();
    files.write("mapped.db", 2); // an mmap write: no event
    clock.advanceMillis(480);
    assertThat(coalescer.drain()).as("the second look disagrees").isEmpty();
    assertThat(runFor(499)).isEmpty();
    assertThat(runFor(1)).containsExactly(DirtyPath.of("mapped.db", 2));
  }

  @Test
  void aFileThatNeverStopsChangingIsStillReportedEveryMaxHold() {
    List<DirtyPath> out = new ArrayList<>();
    for (int ms = 0; ms < 25_000; ms += 5) { // a log appended every 5 ms for 25 s
      files.write("app.log", ms);
      coalescer.change("app.log", false);
      clock.advanceMillis(5);
      out.addAll(coalescer.drain());
    }
    assertThat(out).hasSize(2).extracting(DirtyPath::path).containsOnly("app.log"); // at 10 s and 20 s
  }

  @Test
  void aMillionChangesToAThousandPathsHoldAThousandEntries() {
    for (int i = 0; i < 1_000_000; i++) {
      String path = "dir/f" + (i % 1_000);
      if (i < 1_000) {
        files.write(path, 1);
      }
      coalescer.change(path, i < 1_000);
      if (i % 1_000 == 0) {
        clock.advance(Duration.ofNanos(10_000));
        assertThat(coalescer.drain()).isEmpty();
      }
    }
    assertThat(coalescer.trackedPaths()).isEqualTo(1_000);
    assertThat(coalescer.scheduledTimers()).isLessThanOrEqualTo(1_000);

    clock.advanceMillis(20);
    assertThat(coalescer.drain()).hasSize(1_000);
    clock.advanceMillis(500);
    assertThat(coalescer.drain()).isEmpty();
    assertThat(coalescer.trackedPaths()).as("forgotten once cooled down").isZero();
    assertThat(coalescer.nextDue()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void anEditorsAtomicSaveIsOneHintForTheTargetAndNoneForTheTempFile() {
    files.write("notes.txt", 10); // existed before
    // gedit, JetBrains "safe write": write a temp file, rename it over the target.
    files.write(".goutputstream-X1", 12);
    coalescer.change(".goutputstream-X1", true);
    coalescer.change(".goutputstream-X1", false);
    files.rename(".goutputstream-X1", "notes.txt");
    coalescer.change(".goutputstream-X1", false); // IN_MOVED_FROM
    coalescer.change("notes.txt", true); // IN_MOVED_TO
    clock.advanceMillis(20);
    assertThat(coalescer.drain()).containsExactly(DirtyPath.of("notes.txt", 12));
  }

  @Test
  void vimsBackupRenameIsOneHintForTheTarget() {
    files.write("main.c", 10);
    files.rename("main.c", "main.c~");
    coalescer.change("main.c", false); // moved away
    coalescer.change("main.c~", true);
    files.write("main.c", 11);
    coalescer.change("main.c", true);
    coalescer.change("main.c", false);
    files.delete("main.c~");
    coalescer.change("main.c~", false);
    clock.advanceMillis(20);
    assertThat(coalescer.drain()).containsExactly(DirtyPath.of("main.c", 11));
  }

  @Test
  void aDeletedFileIsReportedButOneCreatedAndDeletedInTheWindowIsNot() {
    files.write("old", 1);
    files.delete("old");
    coalescer.change("old", false);
    files.write("flash", 1);
    coalescer.change("flash", true);
    files.delete("flash");
    coalescer.change("flash", false);
    clock.advanceMillis(20);
    assertThat(coalescer.drain()).as("gone: nothing to send").containsExactly(DirtyPath.of("old", 0));
    assertThat(coalescer.trackedPaths()).as("the temp file leaves no trace").isEqualTo(1);
  }

  @Test
  void aFileReportedLatelyThenReplacedAndDeletedIsReportedAsGone() {
    // The JDK reports a rename over an existing file as a create. A recent report proves that the
    // path existed, so its deletion must not be taken for a temp file's.
    files.write("x", 1);
    coalescer.change("x", true);
    clock.advanceMillis(20);
    assertThat(coalescer.drain()).containsExactly(DirtyPath.of("x", 1));
    coalescer.change("x", true); // mv y x
    coalescer.change("x", false); // rm x
    files.delete("x");
    clock.advanceMillis(20);
    assertThat(coalescer.drain()).containsExactly(DirtyPath.of("x", 0));
  }

  @Test
  void aSubtreeHintCoversTheHintsBelowIt() {
    files.mkdir("a");
    files.write("a/b/f", 1);
    files.write("ab", 1);
    files.write("a-b", 1);
    coalescer.rescan("a", true);
    coalescer.change("a/b/f", true);
    coalescer.change("ab", true);
    coalescer.change("a-b", true);
    clock.advanceMillis(20);
    assertThat(coalescer.drain())
        .containsExactly(DirtyPath.subtreeOf("a"), DirtyPath.of("a-b", 1), DirtyPath.of("ab", 1));
  }

  @Test
  void directoriesAndSubtreesAreNotHeldBySettle() {
    files.mkdir("d");
    for (int ms = 0; ms < 1_000; ms += 5) {
      coalescer.change("d", false);
      clock.advanceMillis(5);
      assertThat(coalescer.drain()).isEmpty();
    }
    clock.advanceMillis(20);
    assertThat(coalescer.drain()).containsExactly(DirtyPath.of("d", 0));
  }

  @Test
  void aPathThatCannotBeStattedIsReportedSoTheConsumerMeetsTheError() {
    coalescer.change("unreadable", false);
    clock.advanceMillis(20);
    assertThat(coalescer.drain()).as("of unknown size").containsExactly(DirtyPath.of("unreadable"));
  }

  @Test
  void beyondMaxTrackedPathsEverythingCollapsesIntoOneRescanOfTheWholeTree() {
    ChangeCoalescer small = coalescer(WatchOptions.defaults(), 100);
    for (int i = 0; i < 150; i++) {
      files.write("f" + i, 1);
      small.change("f" + i, true);
    }
    assertThat(small.trackedPaths()).isLessThanOrEqualTo(100);
    clock.advanceMillis(20);
    assertThat(small.drain()).containsExactly(DirtyPath.wholeTree());
  }

  @Test
  void settleZeroReportsEveryPauseAndKeepsNothing() {
    ChangeCoalescer eager = coalescer(WatchOptions.defaults().withSettle(Duration.ZERO), 100);
    for (int write = 0; write < 3; write++) {
      files.write("f", write);
      eager.change("f", write == 0);
      clock.advanceMillis(30);
      assertThat(eager.drain()).containsExactly(DirtyPath.of("f", write));
    }
    assertThat(eager.trackedPaths()).isZero();
  }

  @Test
  void eventsForAPathCostNoStatUntilItIsDue() {
    files.write("f", 1);
    for (int i = 0; i < 10_000; i++) {
      coalescer.change("f", false);
    }
    assertThat(files.reads()).isZero();
    clock.advanceMillis(20);
    coalescer.drain();
    assertThat(files.reads()).isEqualTo(1);
  }
}
