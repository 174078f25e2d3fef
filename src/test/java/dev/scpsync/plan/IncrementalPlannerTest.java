package dev.scpsync.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Snapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The state-aware transitions: unchanged, mtime-only, drift under each policy, limits, renames. */
class IncrementalPlannerTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final Instant T1 = Instant.parse("2024-05-01T11:00:00Z");
  private static final Instant T2 = Instant.parse("2024-05-01T12:00:00Z");

  private static Entry file(String path, long size, Instant mtime) {
    return Entry.file(path, size, mtime, 0644);
  }

  private static Entry dir(String path) {
    return Entry.directory(path, T0, 0755);
  }

  private static Snapshot tree(Entry... entries) {
    return Snapshot.of(List.of(entries));
  }

  private static SyncInputs inputs(Snapshot local, Snapshot synced, Snapshot remote) {
    return new SyncInputs(local, synced, remote, Map.of(), Map.of(), Map.of(), Map.of());
  }

  private static IncrementalPlan plan(SyncInputs in, boolean delete, SafetyOptions safety) {
    return IncrementalPlanner.plan(in, PlanOptions.defaults().withDelete(delete), safety);
  }

  private static SafetyOptions policy(DriftPolicy p) {
    return new SafetyOptions(p, -1, -1, false, ".scpsync-conflict-X");
  }

  private static List<String> paths(List<Entry> entries) {
    return entries.stream().map(Entry::path).toList();
  }

  @Test
  void unchangedEverywhereIsEmpty() {
    Snapshot t = tree(file("f", 3, T0));
    assertThat(plan(inputs(t, t, t), true, SafetyOptions.defaults()).isEmpty()).isTrue();
  }

  @Test
  void trustingTheStateNeedsNoListing() {
    Snapshot synced = tree(file("f", 3, T0), file("g", 1, T0));
    IncrementalPlan p = plan(inputs(tree(file("f", 3, T0), file("g", 2, T1)), synced, null), false, SafetyOptions.defaults());
    assertThat(paths(p.plan().files())).containsExactly("g");
  }

  @Test
  void onlyTheMtimeChangedWhenTheHashMatches() {
    Snapshot synced = tree(file("f", 3, T0));
    SyncInputs in = new SyncInputs(tree(file("f", 3, T1)), synced, synced, Map.of("f", "h1"), Map.of("f", "h1"), Map.of(), Map.of());
    IncrementalPlan p = plan(in, false, SafetyOptions.defaults());
    assertThat(p.plan().files()).isEmpty();
    assertThat(paths(p.plan().attributes())).containsExactly("f");
    SyncInputs changed = new SyncInputs(tree(file("f", 3, T1)), synced, synced, Map.of("f", "h2"), Map.of("f", "h1"), Map.of(), Map.of());
    assertThat(paths(plan(changed, false, SafetyOptions.defaults()).plan().files())).containsExactly("f");
  }

  @Test
  void driftIsLeftAloneByDefault() {
    Snapshot synced = tree(file("f", 3, T0));
    Snapshot remote = tree(file("f", 9, T2)); // someone edited it on the server
    IncrementalPlan unchangedLocally = plan(inputs(tree(file("f", 3, T0)), synced, remote), false, policy(DriftPolicy.SKIP));
    assertThat(unchangedLocally.plan().files()).isEmpty();
    assertThat(unchangedLocally.drift()).singleElement().satisfies(d -> assertThat(d.message()).contains("left alone"));

    IncrementalPlan changedLocally = plan(inputs(tree(file("f", 4, T1)), synced, remote), false, policy(DriftPolicy.SKIP));
    assertThat(changedLocally.plan().files()).isEmpty();
    assertThat(changedLocally.drift()).hasSize(1);
  }

  @Test
  void driftOverwrittenOrBackedUpOnRequest() {
    Snapshot synced = tree(file("f", 3, T0));
    Snapshot remote = tree(file("f", 9, T2));
    Snapshot local = tree(file("f", 4, T1));
    IncrementalPlan overwrite = plan(inputs(local, synced, remote), false, policy(DriftPolicy.OVERWRITE));
    assertThat(paths(overwrite.plan().files())).containsExactly("f");
    assertThat(overwrite.drift()).singleElement().satisfies(d -> assertThat(d.message()).contains("overwritten"));

    IncrementalPlan backup = plan(inputs(local, synced, remote), false, policy(DriftPolicy.BACKUP));
    assertThat(backup.backups()).containsExactly(new Rename("f", "f.scpsync-conflict-X"));
    assertThat(paths(backup.plan().files())).containsExactly("f");
  }

  @Test
  void aDriftedFileIsNotDeletedUnderSkip() {
    Snapshot synced = tree(file("gone", 3, T0), file("stale", 1, T0));
    Snapshot remote = tree(file("gone", 5, T2), file("stale", 1, T0));
    IncrementalPlan p = plan(inputs(tree(file("keep", 1, T0)), synced, remote), true, policy(DriftPolicy.SKIP));
    assertThat(paths(p.plan().deletes())).containsExactly("stale");
    assertThat(p.drift()).singleElement().satisfies(d -> assertThat(d.path()).isEqualTo("gone"));
  }

  @Test
  void maxDeleteRefusesAllDeletesAndSaysHowMany() {
    Snapshot remote = tree(dir("d"), file("d/a", 1, T0), file("d/b", 1, T0), file("x", 1, T0), file("keep", 1, T0));
    Snapshot local = tree(file("keep", 1, T0));
    IncrementalPlan p = plan(inputs(local, remote, remote), true, new SafetyOptions(DriftPolicy.SKIP, 3, -1, false, ""));
    assertThat(p.plan().deletes()).isEmpty();
    assertThat(p.deletesRefused()).isEqualTo(4);
    assertThat(p.refusalReason()).contains("--max-delete 3");

    IncrementalPlan allowed = plan(inputs(local, remote, remote), true, new SafetyOptions(DriftPolicy.SKIP, 4, -1, false, ""));
    assertThat(paths(allowed.plan().deletes())).containsExactlyInAnyOrder("x", "d");

    IncrementalPlan percent = plan(inputs(local, remote, remote), true, new SafetyOptions(DriftPolicy.SKIP, -1, 50, false, ""));
    assertThat(percent.deletesRefused()).isEqualTo(4);
    assertThat(percent.refusalReason()).contains("80.0%");
  }

  @Test
  void anEmptySourceNeverDeletesEverything() {
    Snapshot remote = tree(file("a", 1, T0));
    IncrementalPlan refused = plan(inputs(Snapshot.empty(), remote, remote), true, SafetyOptions.defaults());
    assertThat(refused.plan().deletes()).isEmpty();
    assertThat(refused.refusalReason()).contains("--allow-empty-source");
    IncrementalPlan allowed = plan(inputs(Snapshot.empty(), remote, remote), true, new SafetyOptions(DriftPolicy.SKIP, -1, -1, true, ""));
    assertThat(paths(allowed.plan().deletes())).containsExactly("a");
  }

  @Test
  void aMovedFileIsRenamedByHash() {
    Snapshot synced = tree(dir("a"), file("a/report.pdf", 1000, T0));
    Snapshot local = tree(dir("a"), dir("b"), file("b/report-final.pdf", 1000, T0));
    SyncInputs in = new SyncInputs(local, synced, synced, Map.of("b/report-final.pdf", "h"), Map.of("a/report.pdf", "h"), Map.of(), Map.of());
    IncrementalPlan p = plan(in, true, SafetyOptions.defaults());
    assertThat(p.renames()).containsExactly(new Rename("a/report.pdf", "b/report-final.pdf"));
    assertThat(p.plan().files()).isEmpty();
    assertThat(paths(p.plan().mkdirs())).containsExactly("b");
    assertThat(p.plan().deletes()).isEmpty();
  }

  @Test
  void aMovedDirectoryIsOneRenameByFileKey() {
    Snapshot synced = tree(dir("old"), file("old/1", 1, T0), file("old/2", 2, T0), dir("old/sub"), file("old/sub/3", 3, T0));
    Snapshot local = tree(dir("new"), file("new/1", 1, T0), file("new/2", 2, T0), dir("new/sub"), file("new/sub/3", 3, T0));
    SyncInputs in = new SyncInputs(local, synced, synced, Map.of(), Map.of(), Map.of("new", "ino:7"), Map.of("old", "ino:7"));
    IncrementalPlan p = plan(in, true, SafetyOptions.defaults());
    assertThat(p.renames()).containsExactly(new Rename("old", "new"));
    assertThat(p.plan().files()).isEmpty();
    assertThat(p.plan().mkdirs()).isEmpty();
    assertThat(p.plan().deletes()).isEmpty();
  }

  @Test
  void aReusedInodeIsNotARename() {
    Snapshot synced = tree(file("top.txt", 4, T0));
    Snapshot local = tree(file("new.txt", 4, T1));
    SyncInputs in = new SyncInputs(local, synced, synced, Map.of(), Map.of(), Map.of("new.txt", "ino:9"), Map.of("top.txt", "ino:9"));
    IncrementalPlan p = plan(in, false, SafetyOptions.defaults());
    assertThat(p.renames()).isEmpty();
    assertThat(paths(p.plan().files())).containsExactly("new.txt");
  }

  @Test
  void noRenameWhenTheRemoteCopyDrifted() {
    Snapshot synced = tree(file("a", 10, T0));
    Snapshot remote = tree(file("a", 11, T2));
    SyncInputs in = new SyncInputs(tree(file("b", 10, T0)), synced, remote, Map.of("b", "h"), Map.of("a", "h"), Map.of(), Map.of());
    IncrementalPlan p = plan(in, false, SafetyOptions.defaults());
    assertThat(p.renames()).isEmpty();
    assertThat(paths(p.plan().files())).containsExactly("b");
  }
}
