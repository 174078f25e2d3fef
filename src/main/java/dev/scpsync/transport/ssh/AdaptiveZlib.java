package dev.scpsync.transport.ssh;

import java.io.IOException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.zip.Deflater;
import org.apache.sshd.common.compression.BaseCompression;
import org.apache.sshd.common.compression.BuiltinCompressions;
import org.apache.sshd.common.compression.Compression;
import org.apache.sshd.common.compression.CompressionFactory;
import org.apache.sshd.common.util.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code zlib@openssh.com} whose outgoing deflate level a {@link CompressionGovernor} chooses
 * packet by packet ({@code compression: auto}); incoming data is inflated by MINA's own zlib.
 *
 * <p>Written because MINA's {@code CompressionZlib} deflates at one level fixed at key exchange,
 * while SSH negotiates compression only once per key exchange: to decide on measurements, the
 * connection negotiates compression and starts at level 0 (stored blocks: the peer inflates them
 * like any other, and they cost almost no CPU), and the level changes afterwards — the receiver
 * of a zlib stream does not need to know the level. Two details of the JDK's {@link Deflater}
 * matter here: after {@link Deflater#setLevel} the next {@code deflate} call only applies the new
 * level (it may consume and produce nothing), so the level is changed on empty input before the
 * packet; and {@code setInput} keeps a reference to the array, so the packet is copied out before
 * its buffer is overwritten with the output.
 */
final class AdaptiveZlib extends BaseCompression {
  private static final Logger log = LoggerFactory.getLogger(AdaptiveZlib.class);
  private static final byte[] EMPTY = new byte[0];

  /** Offered in place of MINA's {@code zlib@openssh.com}: same name, same delayed start. */
  static final CompressionFactory FACTORY = factory(() -> new AdaptiveZlib(new CompressionGovernor(), System::nanoTime));

  /** A factory of {@code zlib@openssh.com} compressions made by {@code create}. */
  static CompressionFactory factory(Supplier<AdaptiveZlib> create) {
    return new CompressionFactory() {
      @Override
      public String getName() {
        return BuiltinCompressions.delayedZlib.getName();
      }

      @Override
      public boolean isDelayed() {
        return true;
      }

      @Override
      public boolean isCompressionExecuted() {
        return true;
      }

      @Override
      public boolean isSupported() {
        return true;
      }

      @Override
      public Compression create() {
        return create.get();
      }
    };
  }

  private final CompressionGovernor governor;
  private final LongSupplier nanoClock;
  private Compression inflater;
  private Deflater deflater;
  private int deflaterLevel;
  private byte[] input = new byte[32 * 1024];
  private final byte[] output = new byte[32 * 1024];
  private volatile String label = "";

  AdaptiveZlib(CompressionGovernor governor, LongSupplier nanoClock) {
    super(BuiltinCompressions.delayedZlib.getName());
    this.governor = governor;
    this.nanoClock = nanoClock;
  }

  @Override
  public boolean isDelayed() {
    return true;
  }

  /** Names the connection in the log line of each decision. */
  void label(String where) {
    this.label = " (" + where + ")";
  }

  /** The level the next packet will be deflated at, for tests and status. */
  int level() {
    return governor.level();
  }

  @Override
  public void init(Type type, int level) {
    if (type == Type.Inflater) {
      inflater = BuiltinCompressions.delayedZlib.create();
      inflater.init(type, level);
    } else {
      deflaterLevel = governor.level();
      deflater = new Deflater(deflaterLevel);
    }
  }

  @Override
  public void uncompress(Buffer from, Buffer to) throws IOException {
    inflater.uncompress(from, to);
  }

  @Override
  public void compress(Buffer buffer) throws IOException {
    int length = buffer.available();
    if (input.length < length) {
      input = new byte[Math.max(length, input.length * 2)];
    }
    System.arraycopy(buffer.array(), buffer.rpos(), input, 0, length);
    buffer.wpos(buffer.rpos());
    int level = governor.level();
    if (level != deflaterLevel) {
      deflater.setLevel(level);
      deflater.setInput(EMPTY);
      // The first call applies the level (flushing what the old one held), the next ones flush.
      drain(buffer, 2);
      deflaterLevel = level;
    }
    deflater.setInput(input, 0, length);
    drain(buffer, 1);
    CompressionGovernor.Decision decision = governor.sent(nanoClock.getAsLong(), length, buffer.available());
    if (decision != null) {
      log.info("compression auto{}: {} ({})", label,
          decision.level() == 0 ? "off" : "deflate level " + decision.level(), decision.describe());
    }
  }

  /**
   * Deflates with a sync flush until all input is taken and flushed: a call that leaves room in
   * the output after the input ran out has completed the flush. At least {@code minCalls} calls.
   */
  private void drain(Buffer buffer, int minCalls) throws IOException {
    int calls = 0;
    int idle = 0;
    while (true) {
      int n = deflater.deflate(output, 0, output.length, Deflater.SYNC_FLUSH);
      buffer.putRawBytes(output, 0, n);
      calls++;
      if (calls >= minCalls && n < output.length && deflater.needsInput()) {
        return;
      }
      if (n == 0 && ++idle > 3) {
        throw new IOException("deflate made no progress");
      }
    }
  }
}
