package dev.scpsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.watch.DirtyPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of the watch engine: reconnect backoff and the merging of hint batches. */
class WatchJobPartsTest {
  @Test
  void backoffDoublesWithJitterUpToTheCapAndStartsOverAfterReset() throws Exception {
    List<Duration> slept = new ArrayList<>();
    double[] draws = {0.0, 1.0};
    int[] n = {0};
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), slept::add, () -> draws[n[0]++ % 2]);
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      delays.add(backoff.next());
    }
    // steps 100, 200, 400, 800, 1000, 1000 ms; a delay lies in the upper half of its step
    assertThat(delays).containsExactly(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMillis(200),
        Duration.ofMillis(800), Duration.ofMillis(500), Duration.ofMillis(1000));
    backoff.reset();
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(50));
    backoff.sleep(Duration.ofMillis(7));
    assertThat(slept).containsExactly(Duration.ofMillis(7));
  }

  @Test
  void mergedBatchesNameEachPathOnceAndDropWhatASubtreeCovers() {
    List<DirtyPath> merged = WatchJob.merge(List.of(
        List.of(DirtyPath.of("a/x"), DirtyPath.subtreeOf("b"), DirtyPath.of("c")),
        List.of(DirtyPath.subtreeOf("a"), DirtyPath.of("b/y"), DirtyPath.of("c"), DirtyPath.subtreeOf("c"))));
    assertThat(merged).containsExactlyInAnyOrder(DirtyPath.subtreeOf("a"), DirtyPath.subtreeOf("b"), DirtyPath.subtreeOf("c"));
  }
}
