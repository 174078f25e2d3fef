package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scpsync.cli.ChangeStream.Change;
import dev.scpsync.testing.LogCapture;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6: {@code scpsync watch SRC T1 T2 T3 T4} while a writer keeps changing files, and one
 * target killed for 30 s mid-stream. The three others get every change made during the outage
 * while it is still down; it gets none of them until it is back, then catches up; every tree ends
 * equal to the source. The live targets' propagation latency before and during the outage is
 * printed for the record, never asserted: performance is measured, not asserted.
 */
class MirrorFourTargetsTest {
  private static final Duration OUTAGE = Duration.ofSeconds(30);
  /** One change every 150 ms: 200 changes during the outage. */
  private static final Duration PACE = Duration.ofMillis(150);
  /** Changes not measured: the first batches of a fresh JVM run cold. */
  private static final int WARMUP = 10;
  /** Changes measured before the kill. */
  private static final int BASELINE = 40;
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  /**
   * The reconnect backoff doubles up to 30 s: after a 30 s outage the next attempt may come up to
   * 30 s after the restart, and a catch-up reconcile follows it.
   */
  private static final Duration CATCH_UP_DEADLINE = Duration.ofSeconds(90);
  /** The index of the killed target among the four. */
  private static final int KILLED = 0;

  @TempDir Path tmp;

  @Test
  void oneOfFourTargetsKilledForThirtySecondsMidStreamHoldsUpNoOtherAndCatchesUpAfterItsRestart() throws Exception {
    try (TestServer killed = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("killed"));
        TestServer sftp = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("sftp"));
        TestServer scpOnly = TestServer.start(ServerKind.OPENSSH_SCP_ONLY, tmp.resolve("scp-only"));
        TestServer receiver = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("receiver"))) {
      List<TestServer> servers = List.of(killed, sftp, scpOnly, receiver);
      Path src = Files.createDirectories(tmp.resolve("src"));
      ChangeStream.seed(src);
      List<String> targets = new ArrayList<>();
      List<Path> copies = new ArrayList<>();
      for (TestServer s : servers) {
        TestServer.Location where = s.location(tmp, "dest-" + s.kind().name().toLowerCase() + "-" + targets.size());
        targets.add(s.target(where.remotePath()));
        copies.add(where.onDisk());
      }
      List<Integer> live = IntStream.range(0, servers.size()).filter(i -> i != KILLED).boxed().toList();

      try (LogCapture pipelineLog = LogCapture.of("dev.scpsync.engine.TargetPipeline", ch.qos.logback.classic.Level.INFO);
          WatchRun watch = WatchRun.start(
              WatchRun.args(src, tmp.resolve("state"), targets, servers, "--delete", "--no-http"), targets.size());
          ChangeStream stream = ChangeStream.start(src, PACE, copies)) {
        await().atMost(DEADLINE).until(() -> stream.changes().size() >= WARMUP + BASELINE);
        List<Change> beforeKill = stream.changes();
        await("all four keep up with the stream before the kill").atMost(DEADLINE).until(
            () -> IntStream.range(0, copies.size()).allMatch(i -> stream.holdsAll(i, beforeKill)));

        long killStarted = System.nanoTime();
        killed.openssh().stop(); // sshd and its session processes: the connection drops mid-stream
        long killedAt = System.nanoTime();
        // The outage of the scenario, not a wait for a result: the stream goes on meanwhile.
        Thread.sleep(Duration.ofNanos(Math.max(0, killStarted + OUTAGE.toNanos() - System.nanoTime())));
        long outageEnd = System.nanoTime();
        List<Change> duringOutage = stream.changes().stream()
            .filter(c -> c.started() > killedAt && c.written() < outageEnd).toList();

        await("every change of the outage reaches the three others while it is down").atMost(DEADLINE).until(
            () -> live.stream().allMatch(i -> stream.holdsAll(i, duringOutage)));
        assertThat(watch.err()).as("the watch saw the target go").contains(targets.get(KILLED) + ": ")
            .contains("reconnecting in");
        long restartedAt = System.nanoTime();
        killed.openssh().restart();

        await("the killed target catches up").atMost(CATCH_UP_DEADLINE).until(
            () -> stream.holdsAll(KILLED, duringOutage));
        long caughtUpAt = System.nanoTime();
        assertThat(duringOutage).as("the killed target got none of the outage's changes before its restart")
            .allSatisfy(c -> assertThat(stream.arrival(KILLED, c)).isGreaterThan(restartedAt));
        assertThat(pipelineLog.messages()).as("a heartbeat probe, not the rest of a backoff step, noticed the restart")
            .contains(targets.get(KILLED) + ": its SSH port answers again; reconnecting now");

        stream.stopWriting();
        List<Change> all = stream.changes();
        await().atMost(DEADLINE).ignoreExceptions().untilAsserted(() -> {
          for (Path copy : copies) {
            Trees.assertSameTree(src, copy);
          }
        });
        await("the observer saw every change everywhere").atMost(DEADLINE).until(
            () -> IntStream.range(0, copies.size()).allMatch(i -> stream.holdsAll(i, all)));
        for (Path copy : copies) {
          assertThat(Trees.tempFiles(copy)).as("temp files left in %s", copy).isEmpty();
        }
        for (int i : live) {
          String target = targets.get(i);
          assertThat(watch.err().lines().filter(l -> l.contains(target + ": ") && l.contains("reconnecting in")))
              .as("%s kept its session throughout", target).isEmpty();
        }
        assertThat(watch.stop()).as(watch.toString()).isZero();

        List<Change> baseline = beforeKill.subList(WARMUP, beforeKill.size());
        List<Change> afterRestart = all.stream()
            .filter(c -> c.started() > restartedAt && c.written() < caughtUpAt).toList();
        long back = duringOutage.stream().mapToLong(c -> stream.arrival(KILLED, c)).min().orElseThrow();
        System.out.printf("mirror to 4 targets, one (%s) killed for %d s mid-stream, one change every %d ms;"
                + " propagation p50/p90/max in ms of each live target before the kill: %s; during the outage: %s;"
                + " from the restart until the killed one had caught up: %s; it got the first of the outage's %d"
                + " changes %.1f s after its restart (heartbeat probe, then reconnect and reconcile) and all of them %.1f s after it%n",
            servers.get(KILLED), OUTAGE.toSeconds(), PACE.toMillis(), latencies(stream, servers, live, baseline),
            latencies(stream, servers, live, duringOutage), latencies(stream, servers, live, afterRestart),
            duringOutage.size(), (back - restartedAt) / 1e9, (caughtUpAt - restartedAt) / 1e9);
      }
    }
  }

  /**
   * For each of {@code copies}: {@code KIND p50/p90/max} of the time from each of {@code changes}'
   * write to its arrival there.
   */
  private static String latencies(ChangeStream stream, List<TestServer> servers, List<Integer> copies,
      List<Change> changes) {
    List<String> each = new ArrayList<>();
    for (int copy : copies) {
      List<Long> nanos = new ArrayList<>();
      for (Change c : changes) {
        nanos.add(stream.arrival(copy, c) - c.written());
      }
      Collections.sort(nanos);
      each.add(nanos.isEmpty() ? servers.get(copy) + " -" : String.format("%s %d/%d/%d", servers.get(copy),
          ms(percentile(nanos, 50)), ms(percentile(nanos, 90)), ms(nanos.getLast())));
    }
    return String.join(", ", each) + " (n=" + changes.size() + " each)";
  }

  private static long percentile(List<Long> sorted, int p) {
    return sorted.get(Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private static long ms(long nanos) {
    return Math.round(nanos / 1e6);
  }
}
