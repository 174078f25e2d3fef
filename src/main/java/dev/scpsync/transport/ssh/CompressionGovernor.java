package dev.scpsync.transport.ssh;

import java.util.Arrays;

/**
 * Chooses the deflate level of one direction of an SSH connection by trying the levels on the
 * data being sent and keeping the one that moved the most data per second ({@code compression:
 * auto}).
 *
 * <p>Why measure instead of predicting: whether compression pays depends on three things that
 * only show under load — how fast the link is, how fast this machine deflates, and how well this
 * data compresses. Trying each level on the real stream answers all three at once: over a slow
 * link compressible data goes several times faster at level 6; over a fast one (or on loopback)
 * deflating is the bottleneck and off wins; incompressible data is never faster compressed.
 *
 * <p>How: a trial runs {@link #CANDIDATES} in turn — off (level 0: deflate's stored blocks, which
 * cost almost nothing), 1 and 6 — each for {@link #WARMUP_NANOS} of busy time to let queues
 * settle and then {@link #MEASURE_NANOS} (and at least {@link #MIN_MEASURE_BYTES}) of measuring
 * the data rate. Level 6 is skipped when level 1 was already slower than off (deflating is the
 * bottleneck) or shrank the data by less than {@link #INCOMPRESSIBLE}. A compressing level is
 * chosen only when it was at least {@link #PAYS} times as fast as off. The choice is held for
 * {@link #FIRST_HOLD_NANOS} of busy time, then tried again (links and data change); a trial that
 * confirms the choice doubles the hold, up to {@link #MAX_HOLD_NANOS}.
 *
 * <p>Busy time is the time between consecutive packets, except gaps longer than {@link
 * #IDLE_GAP_NANOS}, which are the sender having nothing to send, not the link being slow (the
 * packet after such a gap is left out of the measurement, as the time it took is unknown). Not
 * thread-safe: the SSH session encodes its packets one at a time.
 */
final class CompressionGovernor {
  static final int[] CANDIDATES = {0, 1, 6};
  static final long WARMUP_NANOS = 500_000_000L;
  static final long MEASURE_NANOS = 1_500_000_000L;
  static final long MIN_MEASURE_BYTES = 1L << 20;
  static final long IDLE_GAP_NANOS = 1_000_000_000L;
  static final double PAYS = 1.10;
  /** Compressed / raw above this at level 1: the data does not compress enough to bother. */
  static final double INCOMPRESSIBLE = 0.90;
  static final long FIRST_HOLD_NANOS = 30_000_000_000L;
  static final long MAX_HOLD_NANOS = 480_000_000_000L;

  /** What a finished trial found, for the log. */
  record Decision(int level, double[] bytesPerSecond, double ratio) {
    String describe() {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < CANDIDATES.length; i++) {
        if (!Double.isNaN(bytesPerSecond[i])) {
          s.append(s.isEmpty() ? "" : ", ").append(CANDIDATES[i] == 0 ? "off" : "level " + CANDIDATES[i])
              .append(String.format(" %.1f MiB/s", bytesPerSecond[i] / (1 << 20)));
        }
      }
      return s + (Double.isNaN(ratio) ? "" : String.format(", level 1 made the data %.1fx smaller", 1 / ratio));
    }
  }

  private int level = CANDIDATES[0];
  private boolean trial = true;
  private int candidate;
  private long phaseBusy;
  private long measureBusy;
  private long measureRaw;
  private long measureWire;
  private long lastPacket = Long.MIN_VALUE;
  private final double[] rates = new double[CANDIDATES.length];
  private double ratioAtOne = Double.NaN;
  private long hold = FIRST_HOLD_NANOS;
  private int previousChoice = -1;

  CompressionGovernor() {
    Arrays.fill(rates, Double.NaN);
  }

  /** The deflate level for the next packet: 0 (stored, i.e. off), 1 or 6. */
  int level() {
    return level;
  }

  /**
   * One packet went out: {@code raw} bytes of payload became {@code wire} bytes at the level
   * {@link #level()} returned. Returns the decision when this packet ended a trial, else null.
   */
  Decision sent(long nowNanos, int raw, int wire) {
    long gap = lastPacket == Long.MIN_VALUE ? -1 : nowNanos - lastPacket;
    lastPacket = nowNanos;
    if (gap < 0 || gap > IDLE_GAP_NANOS) {
      return null; // the first packet after a pause: the time it took is not known
    }
    long busy = gap;
    phaseBusy += busy;
    if (!trial) {
      if (phaseBusy >= hold) {
        startTrial();
      }
      return null;
    }
    if (phaseBusy <= WARMUP_NANOS) {
      return null;
    }
    measureBusy += busy;
    measureRaw += raw;
    measureWire += wire;
    if (measureBusy < MEASURE_NANOS || measureRaw < MIN_MEASURE_BYTES) {
      return null;
    }
    rates[candidate] = measureRaw * 1e9 / measureBusy;
    if (level == 1) {
      ratioAtOne = (double) measureWire / measureRaw;
    }
    int next = candidate + 1;
    if (level == 1 && (rates[candidate] < rates[0] || ratioAtOne > INCOMPRESSIBLE)) {
      next = CANDIDATES.length; // deflating is the bottleneck, or the data does not compress
    }
    if (next < CANDIDATES.length) {
      candidate = next;
      level = CANDIDATES[next];
      resetPhase();
      return null;
    }
    return decide();
  }

  private Decision decide() {
    int best = 0;
    for (int i = 1; i < CANDIDATES.length; i++) {
      if (!Double.isNaN(rates[i]) && rates[i] > rates[best]) {
        best = i;
      }
    }
    if (best != 0 && rates[best] < PAYS * rates[0]) {
      best = 0;
    }
    int chosen = CANDIDATES[best];
    Decision decision = new Decision(chosen, rates.clone(), ratioAtOne);
    hold = chosen == previousChoice ? Math.min(hold * 2, MAX_HOLD_NANOS) : FIRST_HOLD_NANOS;
    previousChoice = chosen;
    level = chosen;
    trial = false;
    resetPhase();
    return decision;
  }

  private void startTrial() {
    trial = true;
    candidate = 0;
    level = CANDIDATES[0];
    Arrays.fill(rates, Double.NaN);
    ratioAtOne = Double.NaN;
    resetPhase();
  }

  private void resetPhase() {
    phaseBusy = 0;
    measureBusy = 0;
    measureRaw = 0;
    measureWire = 0;
  }
}
