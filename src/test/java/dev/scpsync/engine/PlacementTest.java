package dev.scpsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Snapshot;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final List<String> FIVE = List.of("t1", "t2", "t3", "t4", "t5");

  @Test
  void shardingPutsEachFileOnExactlyRTargetsAndSpreadsThemEvenly() {
    Placement p = Placement.shard(FIVE, 2);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      List<String> on = p.targetsFor("dir-" + (i % 37) + "/file-" + i + ".txt");
      assertThat(on).hasSize(2).doesNotHaveDuplicates();
      on.forEach(t -> counts.merge(t, 1, Integer::sum));
    }
    double ideal = 2000.0 * 2 / 5;
    assertThat(counts).hasSize(5);
    counts.values().forEach(n -> assertThat(Math.abs(n - ideal) / ideal).as("%s vs %s", n, ideal).isLessThan(0.15));
  }

  @Test
  void addingATargetMovesAboutRoverNOfTheFilesAndOnlyToTheNewOne() {
    Placement before = Placement.shard(FIVE, 2);
    Placement after = Placement.shard(List.of("t1", "t2", "t3", "t4", "t5", "t6"), 2);
    int moved = 0;
    for (int i = 0; i < 2000; i++) {
      String path = "f" + i;
      List<String> was = before.targetsFor(path);
      List<String> is = after.targetsFor(path);
      if (!was.stream().sorted().toList().equals(is.stream().sorted().toList())) {
        moved++;
        assertThat(is).as("a file only moves onto the new target").contains("t6");
      }
    }
    double fraction = moved / 2000.0;
    assertThat(fraction).as("moved %d of 2000", moved).isBetween(2.0 / 6 - 0.06, 2.0 / 6 + 0.06);
  }

  @Test
  void theLayoutIsAFunctionOfNamesAndPathOnly() {
    assertThat(Placement.shard(List.of("b", "a", "c"), 1).targetsFor("x/y"))
        .isEqualTo(Placement.shard(List.of("c", "b", "a"), 1).targetsFor("x/y"));
    assertThat(Placement.score("web1", "index.html")).isEqualTo(Placement.score("web1", "index.html")).isNotNegative();
  }

  @Test
  void mirrorHoldsEverythingAndATargetsViewKeepsEveryDirectory() {
    Placement mirror = Placement.mirror(FIVE);
    assertThat(mirror.targetsFor("any")).isEqualTo(FIVE);
    Instant t = Instant.EPOCH;
    Snapshot local = Snapshot.of(List.of(Entry.directory("d", t, 0755), Entry.file("d/a", 1, t, 0644),
        Entry.file("d/b", 1, t, 0644), Entry.file("c", 1, t, 0644)));
    assertThat(mirror.viewFor("t1", local)).isSameAs(local);
    Placement shard = Placement.shard(FIVE, 1);
    for (String target : FIVE) {
      Snapshot view = shard.viewFor(target, local);
      assertThat(view.contains("d")).isTrue();
      for (String f : List.of("d/a", "d/b", "c")) {
        assertThat(view.contains(f)).isEqualTo(shard.holds(target, f));
      }
    }
    assertThatThrownBy(() -> Placement.shard(FIVE, 6)).isInstanceOf(IllegalArgumentException.class);
  }
}
