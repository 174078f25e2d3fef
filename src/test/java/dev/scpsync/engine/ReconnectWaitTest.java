package dev.scpsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.testing.OpenSshServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wait between reconnect attempts, on a fake clock, and its TCP probe against a real sshd. */
class ReconnectWaitTest {
  private Duration slept = Duration.ZERO;
  private final List<Duration> probedAt = new ArrayList<>();

  private Backoff fakeBackoff() {
    return new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), d -> slept = slept.plus(d), () -> 0.5);
  }

  /** A probe that finds the port open from {@code openAfter} of fake time on. */
  private ReconnectWait.Probe portOpenAfter(Duration openAfter) {
    return () -> {
      probedAt.add(slept);
      return slept.compareTo(openAfter) >= 0;
    };
  }

  @Test
  void aLongWaitEndsAtTheFirstProbeThatFindsThePortOpenAgain() throws Exception {
    ReconnectWait wait = new ReconnectWait(fakeBackoff(), portOpenAfter(Duration.ofMillis(3500)), () -> false);
    assertThat(wait.await(Duration.ofSeconds(30))).isTrue();
    assertThat(slept).isEqualTo(Duration.ofSeconds(4));
    assertThat(probedAt).containsExactly(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(3), Duration.ofSeconds(4));
  }

  @Test
  void aPortAlreadyOpenWhenTheWaitBeginsIsNotProbedAgainSoTheBackoffStands() throws Exception {
    ReconnectWait wait = new ReconnectWait(fakeBackoff(), portOpenAfter(Duration.ZERO), () -> false);
    assertThat(wait.await(Duration.ofSeconds(8))).isFalse();
    assertThat(slept).isEqualTo(Duration.ofSeconds(8));
    assertThat(probedAt).containsExactly(Duration.ZERO);
  }

  @Test
  void shortWaitsAreNotProbedAndAStopEndsAWaitAtOnce() throws Exception {
    ReconnectWait shortWait = new ReconnectWait(fakeBackoff(), portOpenAfter(Duration.ZERO), () -> false);
    assertThat(shortWait.await(Duration.ofMillis(800))).isFalse();
    assertThat(probedAt).isEmpty();
    assertThat(slept).isEqualTo(Duration.ofMillis(800));

    AtomicBoolean stopping = new AtomicBoolean();
    Backoff stopsAfterASecond = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), d -> {
      slept = slept.plus(d);
      stopping.set(slept.compareTo(Duration.ofMillis(1800)) >= 0);
    }, () -> 0.5);
    slept = Duration.ZERO;
    ReconnectWait stopped = new ReconnectWait(stopsAfterASecond, ReconnectWait.Probe.NONE, stopping::get);
    assertThat(stopped.await(Duration.ofSeconds(30))).isFalse();
    assertThat(slept).isEqualTo(Duration.ofMillis(1800));
  }

  @Test
  void timeAProbeSpendsWaitingForAnAnswerCountsAgainstTheWait() throws Exception {
    ReconnectWait.Probe blackHole = () -> {
      try {
        Thread.sleep(400); // a connect that times out (really: the probe's own clock is real time)
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    };
    ReconnectWait wait = new ReconnectWait(fakeBackoff(), blackHole, () -> false);
    assertThat(wait.await(Duration.ofSeconds(3))).isFalse();
    assertThat(slept).as("slept besides the probes").isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void theTcpProbeSeesARealSshdComeAndGo(@TempDir Path tmp) throws Exception {
    try (OpenSshServer sshd = OpenSshServer.withSftp(tmp.resolve("sshd"))) {
      ReconnectWait.Probe probe = ReconnectWait.tcp(Optional.of(InetSocketAddress.createUnresolved("127.0.0.1", sshd.port())));
      assertThat(probe.reachable()).isTrue();
      sshd.stop();
      assertThat(probe.reachable()).isFalse();
      sshd.restart();
      assertThat(probe.reachable()).isTrue();
    }
    assertThat(ReconnectWait.tcp(Optional.empty()).reachable()).isFalse();
  }
}
