package dev.scpsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.tree.Snapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Targets that reconcile together share one scan, and nobody gets a scan older than its request. */
class SharedScanTest {
  private final AtomicInteger scanned = new AtomicInteger();
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  @Test
  void targetsAskingTogetherShareOneScan() throws Exception {
    SharedScan shared = new SharedScan(() -> {
      scanned.incrementAndGet();
      return Snapshot.empty();
    }, Duration.ofMillis(500));
    CyclicBarrier together = new CyclicBarrier(4);
    List<Future<Snapshot>> results = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      results.add(threads.submit(() -> {
        together.await();
        return shared.scan();
      }));
    }
    Snapshot first = results.get(0).get(10, TimeUnit.SECONDS);
    for (Future<Snapshot> r : results) {
      assertThat(r.get(10, TimeUnit.SECONDS)).isSameAs(first);
    }
    assertThat(scanned).hasValue(1);
    assertThat(shared.scans()).isEqualTo(1);
  }

  @Test
  void aTargetAskingOnceTheScanHasBegunGetsAScanOfItsOwn() throws Exception {
    CountDownLatch scanning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    SharedScan shared = new SharedScan(() -> {
      if (scanned.incrementAndGet() == 1) {
        scanning.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
      }
      return Snapshot.of(List.of(), List.of()); // a new one each time
    }, Duration.ofMillis(1));
    Future<Snapshot> early = threads.submit(shared::scan);
    assertThat(scanning.await(10, TimeUnit.SECONDS)).isTrue();
    Future<Snapshot> late = threads.submit(shared::scan);
    Snapshot lateResult = late.get(10, TimeUnit.SECONDS); // not held up by the first, still reading
    release.countDown();
    assertThat(early.get(10, TimeUnit.SECONDS)).isNotSameAs(lateResult);
    assertThat(scanned).hasValue(2);
  }

  @Test
  void aFailedScanFailsEveryoneWhoSharedIt() throws Exception {
    SharedScan shared = new SharedScan(() -> {
      scanned.incrementAndGet();
      throw new IOException("source unreadable");
    }, Duration.ofMillis(300));
    CyclicBarrier together = new CyclicBarrier(2);
    List<Future<Snapshot>> results = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      results.add(threads.submit(() -> {
        together.await();
        return shared.scan();
      }));
    }
    for (Future<Snapshot> r : results) {
      assertThatThrownBy(() -> r.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("source unreadable");
    }
    assertThat(scanned).hasValue(1);
  }
}
