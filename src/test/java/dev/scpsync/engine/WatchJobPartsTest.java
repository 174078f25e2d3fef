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
  void theBytesWaitingAreTheLatestSizeOfEachPathUntilTakenAndUnknownWhileASubtreeWaits() throws Exception {
    PendingHints pending = new PendingHints(10);
    assertThat(pending.bytes()).hasValue(0);
    pending.add(List.of(DirtyPath.of("a", 100), DirtyPath.of("b", 20)));
    pending.add(List.of(DirtyPath.of("a", 300), DirtyPath.of("gone", 0)));
    assertThat(pending.bytes()).as("a counted once, at its newer size").hasValue(320);

    pending.add(List.of(DirtyPath.subtreeOf("dir")));
    assertThat(pending.bytes()).as("what a directory holds is not walked").isEmpty();
    pending.add(List.of(DirtyPath.of("dir", 0)));
    assertThat(pending.bytes()).as("a plain hint does not undo a subtree one").isEmpty();

    List<DirtyPath> taken = pending.take(0, TimeUnit.MILLISECONDS);
    assertThat(taken).containsExactly(DirtyPath.of("a", 300), DirtyPath.of("b", 20), DirtyPath.of("gone", 0),
        DirtyPath.subtreeOf("dir"));
    assertThat(PendingHints.bytesOf(taken)).isEmpty();
    assertThat(PendingHints.bytesOf(taken.subList(0, 3))).hasValue(320);
    assertThat(pending.bytes()).hasValue(0);

    pending.add(List.of(DirtyPath.of("unreadable")));
    assertThat(pending.bytes()).isEmpty();
    pending.add(List.of(DirtyPath.of("unreadable", 7)));
    assertThat(pending.bytes()).as("read on a later look").hasValue(7);
    pending.clear();
    assertThat(pending.bytes()).hasValue(0);
  }

  @Test
  void afterTheCollapseIntoAWholeTreeRescanTheBytesAreNotKnown() {
    PendingHints pending = new PendingHints(2);
    pending.add(List.of(DirtyPath.of("a", 1), DirtyPath.of("b", 2)));
    assertThat(pending.bytes()).hasValue(3);
    pending.add(List.of(DirtyPath.of("c", 4)));
    assertThat(pending.size()).isEqualTo(1);
    assertThat(pending.bytes()).isEmpty();
    pending.add(List.of(DirtyPath.of("d", 8)));
    assertThat(pending.bytes()).isEmpty();
  }

  @Test
  void unsentBytesFollowABatchFromItsHintsThroughItsPlanToTheEnd() {
    UnsentBytes unsent = new UnsentBytes();
    assertThat(unsent.remaining()).as("before the first reconcile").isEmpty();
    unsent.expect(java.util.OptionalLong.of(500));
    assertThat(unsent.remaining()).hasValue(500);
    unsent.planned(1000); // the hints' sizes were stale: the plan knows
    unsent.moved(300);
    assertThat(unsent.remaining()).hasValue(700);
    unsent.moved(100);
    unsent.finished(400); // the first file, sent whole
    assertThat(unsent.remaining()).hasValue(600);
    unsent.finished(200); // a file sent as changed blocks only: done with fewer bytes moved
    assertThat(unsent.remaining()).hasValue(400);
    unsent.moved(150); // a resumed upload skips what the remote has
    unsent.finished(400);
    assertThat(unsent.remaining()).hasValue(0);
    unsent.planned(50);
    unsent.finished(50); // failed: no longer waiting in this batch
    assertThat(unsent.remaining()).hasValue(0);
    unsent.unknown();
    assertThat(unsent.remaining()).isEmpty();
    unsent.clear();
    assertThat(unsent.remaining()).hasValue(0);
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
