package dev.scpsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.watch.DirtyPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The parts of the watch engine that need no server: reconnect backoff and the pending hints. */
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
    List<DirtyPath> merged = PendingHints.merge(List.of(
        List.of(DirtyPath.of("a/x"), DirtyPath.subtreeOf("b"), DirtyPath.of("c")),
        List.of(DirtyPath.subtreeOf("a"), DirtyPath.of("b/y"), DirtyPath.of("c"), DirtyPath.subtreeOf("c"))));
    assertThat(merged).containsExactlyInAnyOrder(DirtyPath.subtreeOf("a"), DirtyPath.subtreeOf("b"), DirtyPath.subtreeOf("c"));
  }

  @Test
  void aMillionChangesToAThousandPathsWhileATargetIsAwayHoldAThousandEntries() throws Exception {
    PendingHints pending = new PendingHints(WatchJob.MAX_PENDING_PATHS);
    for (int round = 0; round < 1000; round++) {
      List<DirtyPath> batch = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        batch.add(DirtyPath.of("dir/file-" + i));
      }
      pending.add(batch);
    }
    assertThat(pending.size()).isEqualTo(1000);
    List<DirtyPath> taken = pending.take(0, TimeUnit.MILLISECONDS);
    assertThat(taken).hasSize(1000).startsWith(DirtyPath.of("dir/file-0")).endsWith(DirtyPath.of("dir/file-999"));
    assertThat(pending.size()).isZero();
  }

  @Test
  void pastTheLimitEverythingPendingBecomesOneRescanOfTheWholeTree() throws Exception {
    PendingHints pending = new PendingHints(3);
    pending.add(List.of(DirtyPath.of("a"), DirtyPath.of("b"), DirtyPath.subtreeOf("c")));
    assertThat(pending.size()).isEqualTo(3);
    pending.add(List.of(DirtyPath.of("d")));
    pending.add(List.of(DirtyPath.of("e"), DirtyPath.of("f")));
    assertThat(pending.take(0, TimeUnit.MILLISECONDS)).containsExactly(DirtyPath.subtreeOf(""));
  }

  @Test
  void takeWaitsForHintsAndWakeEndsTheWaitEmpty() throws Exception {
    PendingHints pending = new PendingHints(10);
    assertThat(pending.take(1, TimeUnit.MILLISECONDS)).isEmpty();
    Thread.ofVirtual().start(() -> pending.add(List.of(DirtyPath.of("late"))));
    assertThat(pending.take(10, TimeUnit.SECONDS)).containsExactly(DirtyPath.of("late"));
    Thread.ofVirtual().start(pending::wake);
    assertThat(pending.take(10, TimeUnit.SECONDS)).isEmpty();
    assertThatThrownBy(() -> new PendingHints(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hostKeyAndAuthenticationFailuresAreNotRetriedButLostConnectionsAre() {
    var hostKey = new dev.scpsync.transport.ssh.SshConnectException(
        dev.scpsync.transport.ssh.SshConnectException.Step.HOST_KEY, "host key changed", null);
    var auth = new dev.scpsync.transport.ssh.SshConnectException(
        dev.scpsync.transport.ssh.SshConnectException.Step.AUTHENTICATION, "key refused", null);
    var refused = new dev.scpsync.transport.ssh.SshConnectException(
        dev.scpsync.transport.ssh.SshConnectException.Step.CONNECT, "connection refused", null);
    assertThat(TargetPipeline.isPermanent(hostKey)).isTrue();
    assertThat(TargetPipeline.isPermanent(auth)).isTrue();
    assertThat(TargetPipeline.isPermanent(refused)).isFalse();
    assertThat(TargetPipeline.isPermanent(new java.io.IOException("session closed"))).isFalse();
  }
}
