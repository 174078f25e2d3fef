package dev.scpsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Balance placement's choices, as values: least-loaded by bytes, exactly once, release on loss. */
class BalanceAssignerTest {
  private final BalanceAssigner balance = new BalanceAssigner(List.of("a", "b", "c"), BalanceAssigner.Strategy.LEAST_LOADED);

  @Test
  void aTargetBusyWithOneLargeFileGetsNoneOfTheSmallOnesUntilItConfirmsIt() {
    String big = balance.owner("big.iso", 4L << 30);
    for (int i = 0; i < 30; i++) {
      assertThat(balance.owner("small-" + i, 4096)).isNotEqualTo(big);
    }
    assertThat(balance.load(big)).isEqualTo(4L << 30);
    balance.confirmed(big, "big.iso");
    assertThat(balance.load(big)).isZero();
    assertThat(balance.owner("after", 4096)).as("once confirmed, it is the lightest").isEqualTo(big);
  }

  @Test
  void equalBytesGoToTheTargetWithFewerFilesAndEveryFileHasOneOwnerForGood() {
    String first = balance.owner("one", 100);
    String second = balance.owner("two", 100);
    String third = balance.owner("half-1", 50);
    assertThat(Set.of(first, second, third)).hasSize(3);
    assertThat(balance.owner("half-2", 50)).as("the lightest by bytes").isEqualTo(third);
    // Now 100 bytes each; the third holds them in two files.
    assertThat(balance.owner("next", 0)).isIn(first, second);
    assertThat(balance.owner("one", 100)).as("a file keeps its owner").isEqualTo(first);
  }

  @Test
  void aTargetThatGoesOfflineReleasesWhatItHadNotConfirmedAndGetsNothingNew() {
    java.util.Set<String> up = new java.util.HashSet<>(Set.of("a", "b", "c"));
    balance.connect(p -> null, up::contains);
    String owner = balance.owner("f", 1000);
    up.remove(owner);
    assertThat(balance.release(owner)).containsExactly("f");
    assertThat(balance.load(owner)).isZero();
    assertThat(balance.owner("f", 1000)).isNotEqualTo(owner);
    for (int i = 0; i < 10; i++) {
      assertThat(balance.owner("g" + i, 10)).isNotEqualTo(owner);
    }
  }

  @Test
  void aFileAStateAlreadyHoldsStaysWhereItIs() {
    balance.connect(p -> p.equals("kept") ? "c" : null, t -> true);
    balance.owner("x", 1L << 40); // makes c look heavy... unless it is not c
    assertThat(balance.owner("kept", 10)).isEqualTo("c");
  }
}
