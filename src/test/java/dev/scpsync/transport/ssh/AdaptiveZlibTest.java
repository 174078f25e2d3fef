package dev.scpsync.transport.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.scpsync.testing.LogCapture;
import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.transport.TargetSpec;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Inflater;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.compression.Compression;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AdaptiveZlib}: the level changes between packets and the stream stays one valid zlib
 * stream, checked by the JDK's inflater and by OpenSSH's sshd, which must accept every packet.
 * A fake clock makes every packet 10 ms apart, so a trial passes through off, level 1 and level
 * 6 within a few MiB and decides for off (all levels equally fast).
 */
class AdaptiveZlibTest {
  @TempDir Path dir;

  /**
   * A clock for a slow link where deflating pays: a packet takes 20 ms sent as it is, 10 ms at
   * level 1 and 8 ms at level 6, so the trial goes through every level whatever the packets'
   * sizes (a clock that charges every packet alike left the order of off and level 1 to how the
   * stream happened to be cut into packets).
   */
  private static AdaptiveZlib withFakeClock() {
    AtomicLong now = new AtomicLong();
    AtomicReference<AdaptiveZlib> self = new AtomicReference<>();
    AdaptiveZlib zlib = new AdaptiveZlib(new CompressionGovernor(), () -> now.addAndGet(switch (self.get().level()) {
      case 0 -> 20_000_000L;
      case 1 -> 10_000_000L;
      default -> 8_000_000L;
    }));
    self.set(zlib);
    return zlib;
  }

  /** Lines of a log: compressible, never the same twice. */
  private static byte[] logText(int bytes, long seed) {
    Random random = new Random(seed);
    StringBuilder s = new StringBuilder(bytes + 200);
    while (s.length() < bytes) {
      s.append("2026-11-28T03:").append(random.nextInt(60)).append(" INFO [worker-").append(random.nextInt(8))
          .append("] GET /api/items/").append(random.nextInt(1_000_000)).append(" 200 ")
          .append(random.nextInt(5000)).append("ms\n");
    }
    return s.substring(0, bytes).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void packetsDeflatedAcrossLevelChangesInflateToTheSameBytes() throws Exception {
    AdaptiveZlib zlib = withFakeClock();
    zlib.init(Compression.Type.Deflater, 6);
    Inflater inflater = new Inflater();
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    Set<Integer> levels = new TreeSet<>();
    byte[] out = new byte[64 * 1024];
    for (int i = 0; i < 700; i++) {
      levels.add(zlib.level());
      byte[] packet = logText(1 + (i * 7919) % (32 * 1024), i);
      sent.write(packet);
      ByteArrayBuffer buffer = new ByteArrayBuffer(packet.length + 64);
      buffer.putRawBytes(packet);
      zlib.compress(buffer);
      // Each packet must inflate completely on its own: the receiver cannot wait for the next.
      inflater.setInput(buffer.array(), buffer.rpos(), buffer.available());
      int start = received.size();
      for (int n = inflater.inflate(out); n > 0; n = inflater.inflate(out)) {
        received.write(out, 0, n);
      }
      assertThat(received.size() - start).as("packet %d inflated", i).isEqualTo(packet.length);
    }

    assertThat(levels).containsExactly(0, 1, 6);
    assertThat(received.toByteArray()).isEqualTo(sent.toByteArray());
  }

  @Test
  void openSshAcceptsTheStreamThroughEveryLevelChange() throws Exception {
    byte[] content = logText(24 << 20, 7);
    Path remote = dir.resolve("remote.log");
    try (OpenSshServer server = OpenSshServer.withSftp(dir.resolve("sshd"));
        LogCapture logs = LogCapture.of(AdaptiveZlib.class.getName(), Level.INFO);
        SshConnector connector = new SshConnector(TestSessions.isolated(server).withCompression(CompressionMode.AUTO),
            Map.of(), AdaptiveZlib.factory(AdaptiveZlibTest::withFakeClock));
        ClientSession session = connector.connect(TargetSpec.parse(server.target(dir)))) {
      assertThat(session.getNegotiatedKexParameter(KexProposalOption.C2SCOMP)).isEqualTo("zlib@openssh.com");
      try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
          OutputStream out = sftp.write(remote.toString())) {
        for (int off = 0; off < content.length; off += 256 * 1024) {
          out.write(content, off, Math.min(256 * 1024, content.length - off));
        }
      }
      assertThat(logs.messages()).anySatisfy(m -> assertThat(m)
          .startsWith("compression auto (" + server.user() + "@")
          .contains("off ").contains("level 1 ").contains("level 6 "));
    }
    assertThat(Files.readAllBytes(remote)).isEqualTo(content);
  }
}
