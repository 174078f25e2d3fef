package dev.scpsync.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Snapshot;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every transition of one path, with plain values: no I/O. */
class PlannerTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00.250Z");
  private static final Instant T0_SAME_SECOND = Instant.parse("2024-05-01T10:00:00.900Z");
  private static final Instant T1 = Instant.parse("2024-05-01T10:00:01Z");

  private static Entry file(String path, long size, Instant mtime) {
    return Entry.file(path, size, mtime, 0644);
  }

  private static Entry dir(String path) {
    return Entry.directory(path, T0, 0755);
  }

  private static Plan plan(List<Entry> src, List<Entry> dst, PlanOptions options) {
    return Planner.plan(Snapshot.of(src), Snapshot.of(dst), options);
  }

  private static List<String> paths(List<Entry> entries) {
    return entries.stream().map(Entry::path).toList();
  }

  @Test
  void newFileInNewDirectoryCreatesParentFirstThenSendsThenRestoresDirMtime() {
    Plan p = plan(List.of(dir("a"), dir("a/b"), file("a/b/f", 3, T0)), List.of(), PlanOptions.defaults());
    assertThat(paths(p.mkdirs())).containsExactly("a", "a/b");
    assertThat(paths(p.files())).containsExactly("a/b/f");
    assertThat(paths(p.attributes())).containsExactly("a/b", "a");
    assertThat(p.deletes()).isEmpty();
  }

  @Test
  void sameSizeAndSameSecondIsUnchanged() {
    Plan p = plan(List.of(file("f", 3, T0)), List.of(file("f", 3, T0_SAME_SECOND)), PlanOptions.defaults());
    assertThat(p.isEmpty()).isTrue();
  }

  @Test
  void differentSizeOrSecondIsSent() {
    assertThat(paths(plan(List.of(file("f", 4, T0)), List.of(file("f", 3, T0)), PlanOptions.defaults()).files())).containsExactly("f");
    assertThat(paths(plan(List.of(file("f", 3, T1)), List.of(file("f", 3, T0)), PlanOptions.defaults()).files())).containsExactly("f");
  }

  @Test
  void modeOnlyChangeIsAnAttributeFixNotATransfer() {
    Plan p = plan(List.of(Entry.file("f", 3, T0, 0755)), List.of(file("f", 3, T0)), PlanOptions.defaults());
    assertThat(p.files()).isEmpty();
    assertThat(paths(p.attributes())).containsExactly("f");
  }

  @Test
  void deletedLocallyIsDeletedOnlyWithDelete() {
    List<Entry> dst = List.of(file("gone", 1, T0), dir("old"), file("old/x", 1, T0));
    assertThat(plan(List.of(), dst, PlanOptions.defaults()).deletes()).isEmpty();
    Plan p = plan(List.of(), dst, PlanOptions.defaults().withDelete(true));
    assertThat(paths(p.deletes())).as("a directory is deleted once, with all below it").containsExactly("old", "gone");
  }

  @Test
  void deletedRemotelyIsSentAgain() {
    Plan p = plan(List.of(dir("d"), file("d/f", 1, T0)), List.of(dir("d")), PlanOptions.defaults());
    assertThat(paths(p.files())).containsExactly("d/f");
  }

  @Test
  void fileReplacedByDirectoryClearsTheFileFirst() {
    Plan p = plan(List.of(dir("x"), file("x/f", 1, T0)), List.of(file("x", 5, T0)), PlanOptions.defaults());
    assertThat(paths(p.clear())).containsExactly("x");
    assertThat(paths(p.mkdirs())).containsExactly("x");
    assertThat(paths(p.files())).containsExactly("x/f");
  }

  @Test
  void directoryReplacedByFileNeedsDelete() {
    List<Entry> src = List.of(file("x", 1, T0));
    List<Entry> dst = List.of(dir("x"), file("x/inner", 1, T0));
    Plan refused = plan(src, dst, PlanOptions.defaults());
    assertThat(refused.clear()).isEmpty();
    assertThat(refused.files()).isEmpty();
    assertThat(refused.skipped()).singleElement().satisfies(pr -> assertThat(pr.message()).contains("--delete"));

    Plan replaced = plan(src, dst, PlanOptions.defaults().withDelete(true));
    assertThat(paths(replaced.clear())).containsExactly("x");
    assertThat(paths(replaced.files())).containsExactly("x");
    assertThat(replaced.deletes()).as("x/inner goes with the cleared directory").isEmpty();
  }

  @Test
  void symlinkTypeChangesAndRetargets() {
    Entry link = Entry.symlink("l", "a", T0);
    assertThat(paths(plan(List.of(link), List.of(Entry.symlink("l", "b", T0)), PlanOptions.defaults()).symlinks())).containsExactly("l");
    assertThat(plan(List.of(link), List.of(Entry.symlink("l", "a", T1)), PlanOptions.defaults()).isEmpty()).isTrue();
    Plan fileToLink = plan(List.of(link), List.of(file("l", 1, T0)), PlanOptions.defaults());
    assertThat(paths(fileToLink.clear())).containsExactly("l");
    assertThat(paths(fileToLink.symlinks())).containsExactly("l");
  }

  @Test
  void symlinksAreSkippedWhereTheProtocolCannotCarryThem() {
    Plan p = plan(List.of(Entry.symlink("l", "a", T0)), List.of(file("l", 1, T0)), PlanOptions.defaults().withSymlinks(false));
    assertThat(p.isEmpty()).as("the destination file is left alone").isTrue();
    assertThat(p.skipped()).singleElement().satisfies(pr -> assertThat(pr.message()).contains("symlink skipped"));
  }

  @Test
  void protectedEntriesAreNeverDeletedAndKeepTheirDirectory() {
    List<Entry> dst = List.of(dir("cache"), file("cache/keep.log", 1, T0), file("cache/stale.txt", 1, T0), file("x.log", 1, T0));
    PlanOptions options = PlanOptions.defaults().withDelete(true).withProtected(e -> e.path().endsWith(".log"));
    Plan p = plan(List.of(), dst, options);
    assertThat(paths(p.deletes())).containsExactly("cache/stale.txt");
  }

  @Test
  void deletesComeChildrenFirst() {
    List<Entry> dst = List.of(dir("a"), file("a/k.log", 1, T0), dir("a/b"), file("a/b/c", 1, T0), file("z", 1, T0));
    PlanOptions options = PlanOptions.defaults().withDelete(true).withProtected(e -> e.path().endsWith(".log"));
    Plan p = plan(List.of(), dst, options);
    assertThat(paths(p.deletes())).containsExactly("z", "a/b");
  }
}
