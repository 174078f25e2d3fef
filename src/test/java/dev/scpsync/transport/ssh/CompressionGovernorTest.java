package dev.scpsync.transport.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link CompressionGovernor} on simulated links: packets of 32 KiB whose spacing is what a link
 * or a CPU of a given speed at each level would allow.
 */
class CompressionGovernorTest {
  private static final int PACKET = 32 * 1024;

  /** Sends packets as fast as {@code rawBytesPerSecond(level)} allows; records the levels used. */
  private static final class Link {
    final CompressionGovernor governor = new CompressionGovernor();
    final List<Integer> levels = new ArrayList<>();
    final List<CompressionGovernor.Decision> decisions = new ArrayList<>();
    long now = 1_000_000_000L;

    void run(double seconds, IntToDoubleFunction rawBytesPerSecond, IntToDoubleFunction wireRatio) {
      long end = now + (long) (seconds * 1e9);
      while (now < end) {
        int level = governor.level();
        if (levels.isEmpty() || levels.getLast() != level) {
          levels.add(level);
        }
        now += (long) (PACKET / rawBytesPerSecond.applyAsDouble(level) * 1e9);
        var decision = governor.sent(now, PACKET, (int) (PACKET * wireRatio.applyAsDouble(level)));
        if (decision != null) {
          decisions.add(decision);
        }
      }
    }
  }

  /** A 100 Mbit/s link and a log file: level 1 makes it 4.6x smaller, level 6 5.6x. */
  private static double slowLinkRate(int level) {
    double link = 12.5e6;
    return switch (level) {
      case 0 -> link;
      case 1 -> Math.min(150e6, link * 4.6);
      default -> Math.min(60e6, link * 5.6);
    };
  }

  private static double logRatio(int level) {
    return level == 0 ? 1.0 : level == 1 ? 1 / 4.6 : 1 / 5.6;
  }

  @Test
  void aSlowLinkWithCompressibleDataGetsTheBestLevel() {
    Link link = new Link();
    link.run(20, CompressionGovernorTest::slowLinkRate, CompressionGovernorTest::logRatio);

    assertThat(link.levels).containsExactly(0, 1, 6);
    assertThat(link.decisions).hasSize(1);
    assertThat(link.decisions.getFirst().level()).isEqualTo(6);
    assertThat(link.decisions.getFirst().describe()).contains("off 11.9 MiB/s").contains("level 6 57.2 MiB/s")
        .contains("4.6x smaller");
    assertThat(link.governor.level()).isEqualTo(6);
  }

  @Test
  void whenDeflatingIsTheBottleneckCompressionStaysOffAndLevelSixIsNotTried() {
    Link link = new Link();
    // loopback: 300 MB/s uncompressed, level 1 deflates at 100 MB/s
    link.run(20, level -> level == 0 ? 300e6 : level == 1 ? 100e6 : 40e6, CompressionGovernorTest::logRatio);

    assertThat(link.levels).startsWith(0, 1, 0).doesNotContain(6);
    assertThat(link.decisions).extracting(CompressionGovernor.Decision::level).containsOnly(0);
  }

  @Test
  void dataThatDoesNotCompressStaysUncompressedEvenOnASlowLink() {
    Link link = new Link();
    link.run(20, level -> 12.5e6, level -> level == 0 ? 1.0 : 1.001);

    assertThat(link.levels).doesNotContain(6);
    assertThat(link.decisions.getFirst().level()).isZero();
    assertThat(link.governor.level()).isZero();
  }

  @Test
  void compressionMustPayClearlyNotJustTieWithOff() {
    Link link = new Link();
    // compressible, but the link is so fast that level 6 is barely faster than off
    link.run(20, level -> level == 0 ? 100e6 : level == 1 ? 100e6 : 105e6, CompressionGovernorTest::logRatio);

    assertThat(link.decisions.getFirst().level()).isZero();
  }

  @Test
  void idleGapsDoNotCountAsSlowness() {
    Link link = new Link();
    CompressionGovernor g = link.governor;
    // bursts of 8 packets at slow-link speed, then two seconds of nothing, over and over
    for (int burst = 0; burst < 2_000 && link.decisions.isEmpty(); burst++) {
      link.run(8 * PACKET / slowLinkRate(g.level()) - 1e-9, CompressionGovernorTest::slowLinkRate,
          CompressionGovernorTest::logRatio);
      link.now += 2_000_000_000L;
    }

    assertThat(link.decisions).hasSize(1);
    assertThat(link.decisions.getFirst().level()).isEqualTo(6);
    double offRate = link.decisions.getFirst().bytesPerSecond()[0];
    assertThat(offRate).isBetween(0.9 * 12.5e6, 1.1 * 12.5e6);
  }

  @Test
  void theChoiceIsTriedAgainLaterAndFollowsAChangedLink() {
    Link link = new Link();
    link.run(20, CompressionGovernorTest::slowLinkRate, CompressionGovernorTest::logRatio);
    assertThat(link.governor.level()).isEqualTo(6);

    // the link becomes fast (say the VPN went away): deflating is now the bottleneck
    link.run(60, level -> level == 0 ? 300e6 : level == 1 ? 100e6 : 55e6, CompressionGovernorTest::logRatio);

    assertThat(link.decisions).extracting(CompressionGovernor.Decision::level).containsSubsequence(6, 0);
    assertThat(link.governor.level()).isZero();
  }

  @Test
  void aConfirmedChoiceIsHeldLongerEachTime() {
    Link link = new Link();
    link.run(600, CompressionGovernorTest::slowLinkRate, CompressionGovernorTest::logRatio);

    // holds of 30, 60, 120, 240 s between trials of about 6 s each
    assertThat(link.decisions).hasSize(5).extracting(CompressionGovernor.Decision::level).containsOnly(6);
  }
}
