package dev.scpsync.transport.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.testing.RecordingTransfers;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.tree.Entry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.common.SftpConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SftpPipe}, our own SFTP channel that sends many requests per SSH packet, against servers
 * we did not write (OpenSSH's sftp-server) and the embedded receiver (MINA's SFTP server).
 */
class SftpPipeTest {
  private static final Instant T = Instant.parse("2024-05-06T07:08:09Z");

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(value = ServerKind.class, names = {"OPENSSH_SFTP", "EMBEDDED_RECEIVER"})
  void hundredsOfFilesSentInBatchesArriveWithTheirModeAndMtimeAndEachFailureIsTheirOwn(ServerKind kind)
      throws Exception {
    try (TestServer server = TestServer.start(kind, tmp.resolve("server"))) {
      TestServer.Location remote = server.location(tmp, "dest");
      Files.createDirectories(remote.onDisk().resolve("d"));
      List<FileTransfer> files = new ArrayList<>();
      Path src = Files.createDirectories(tmp.resolve("src"));
      for (int i = 0; i < 600; i++) {
        Path local = Files.writeString(src.resolve("f" + i), ("file " + i + "\n").repeat(i % 50), StandardCharsets.UTF_8);
        files.add(new FileTransfer(Entry.file("d/f" + i, Files.size(local), T.plusSeconds(i), 0600 + (i % 2) * 040), local));
      }
      Path lonely = Files.writeString(src.resolve("lonely"), "no parent\n");
      files.add(300, new FileTransfer(Entry.file("missing-dir/lonely", Files.size(lonely), T, 0644), lonely));

      RecordingTransfers recorder = new RecordingTransfers();
      try (SshConnector connector = new SshConnector(server.sshOptions());
          ClientSession session = connector.connect(TargetSpec.parse(server.target(remote.remotePath())));
          SftpPipe pipe = SftpPipe.open(session)) {
        String root = remote.remotePath();
        new PipelinedUploads(pipe, 256, path -> root + "/" + path).upload(files, recorder);
      }

      assertThat(recorder.failed).containsOnlyKeys("missing-dir/lonely");
      assertThat(recorder.done).hasSize(600);
      for (FileTransfer f : files) {
        if (f.local().equals(lonely)) {
          continue;
        }
        Path there = remote.onDisk().resolve(f.entry().path());
        assertThat(there).hasSameBinaryContentAs(f.local());
        assertThat(Files.getLastModifiedTime(there).toInstant()).isEqualTo(f.entry().mtime());
        assertThat((int) Files.getAttribute(there, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777)
            .as("mode of %s", f.entry().path()).isEqualTo(f.entry().mode());
      }
      try (Stream<Path> left = Files.list(remote.onDisk().resolve("d"))) {
        assertThat(left.map(p -> p.getFileName().toString())).as("no temp files left").hasSize(600)
            .allMatch(n -> n.matches("f\\d+"));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = ServerKind.class, names = {"OPENSSH_SFTP", "EMBEDDED_RECEIVER"})
  void largeWritesAtAnyOffsetArriveExactlyAndARequestQueuedBeforeThemGoesFirst(ServerKind kind) throws Exception {
    try (TestServer server = TestServer.start(kind, tmp.resolve("server"))) {
      TestServer.Location remote = server.location(tmp, "dest");
      Path there = Files.createFile(Files.createDirectories(remote.onDisk()).resolve("big.part"));
      int piece = 255 * 1024; // eight SSH packets and a bit: the size large files are written in
      byte[] data = new byte[40 * piece + 12_345];
      new java.util.SplittableRandom(7).nextBytes(data);
      List<Integer> order = new ArrayList<>();
      for (int at = 0; at < data.length; at += piece) {
        order.add(at);
      }
      java.util.Collections.shuffle(order, new java.util.Random(3));
      order.remove(Integer.valueOf(0));
      order.add(0, 0); // first: the queued write below covers its bytes
      String path = remote.remotePath() + "/big.part";

      try (SshConnector connector = new SshConnector(server.sshOptions());
          ClientSession session = connector.connect(TargetSpec.parse(server.target(remote.remotePath())));
          SftpPipe pipe = SftpPipe.open(session)) {
        byte[] handle = pipe.openForWrite(path);
        // A write queued (not yet sent) before the others, over bytes they write again: it must
        // reach the server first, or its junk would be what stays.
        Buffer early = new ByteArrayBuffer();
        early.putBytes(handle);
        early.putLong(0);
        early.putBytes(new byte[1000]);
        int earlyId = pipe.send(SftpConstants.SSH_FXP_WRITE, early);
        List<Long> acked = new ArrayList<>();
        WriteWindow window = new WriteWindow(pipe, handle, 4, (end, length) -> acked.add(end));
        for (int at : order) {
          int length = Math.min(piece, data.length - at);
          window.write(at, java.util.Arrays.copyOfRange(data, at, at + length), length);
        }
        window.finish();
        assertThat(SftpReplies.error(pipe.receive(earlyId), "early write")).isNull();
        pipe.closeHandle(handle);
        assertThat(acked).as("acknowledged in the order sent")
            .containsExactlyElementsOf(order.stream().map(at -> (long) Math.min(at + piece, data.length)).toList());
        assertThatThrownBy(() -> pipe.openForWrite(remote.remotePath() + "/no-such-file"))
            .isInstanceOf(org.apache.sshd.sftp.common.SftpException.class).hasMessageContaining("cannot open");
        assertThat(pipe.isOpen()).as("a refused open leaves the channel usable").isTrue();
      }
      assertThat(Files.readAllBytes(there)).isEqualTo(data);
    }
  }

  @Test
  void aChannelTheServerRefusesIsAnErrorAndLeavesNothingOpen() throws Exception {
    try (TestServer server = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("server"))) {
      server.openssh().restartWithMaxSessions(1);
      TestServer.Location remote = server.location(tmp, "dest");
      try (SshConnector connector = new SshConnector(server.sshOptions());
          ClientSession session = connector.connect(TargetSpec.parse(server.target(remote.remotePath())))) {
        try (SftpPipe first = SftpPipe.open(session)) {
          assertThat(first.isOpen()).isTrue();
          assertThatThrownBy(() -> SftpPipe.open(session)).isInstanceOf(IOException.class);
        }
        // The refused attempt and the closed pipe hold no channel: the one allowed opens again.
        for (int i = 0; i < 3; i++) {
          try (SftpPipe again = awaitOpen(session)) {
            assertThat(again.isOpen()).isTrue();
          }
        }
      }
    }
  }

  @Test
  void repliesAreCutOutOfTheStreamWhereverItsPiecesEnd() throws Exception {
    byte[] stream = concat(version(), status(7, SftpConstants.SSH_FX_OK), handle(8, "h-8"), status(9, 2));
    for (int piece = 1; piece <= stream.length; piece++) {
      SftpPipe.Replies replies = new SftpPipe.Replies();
      for (int at = 0; at < stream.length; at += piece) {
        replies.write(stream, at, Math.min(piece, stream.length - at));
      }
      assertThat(replies.poll(0)).as("version, pieces of %d", piece).isNotNull();
      assertThat(SftpReplies.error(replies.poll(7), "seven")).isNull();
      Buffer eight = replies.poll(8);
      assertThat(SftpReplies.typeOf(eight)).isEqualTo(SftpConstants.SSH_FXP_HANDLE);
      assertThat(eight.getString()).isEqualTo("h-8");
      assertThat(SftpReplies.error(replies.poll(9), "nine")).isNotNull();
      assertThat(replies.poll(10)).isNull();
    }
  }

  @Test
  void aBrokenStreamOrAClosedChannelEndsTheWaitWithAnError() throws Exception {
    SftpPipe.Replies broken = new SftpPipe.Replies();
    byte[] huge = {0x7f, 0, 0, 0};
    assertThatThrownBy(() -> broken.write(huge, 0, 4)).isInstanceOf(IOException.class).hasMessageContaining("bytes");
    assertThatThrownBy(() -> broken.poll(1)).isInstanceOf(IOException.class);

    SftpPipe.Replies closed = new SftpPipe.Replies();
    Thread.ofVirtual().start(() -> {
      sleep(50);
      closed.closed();
    });
    assertThatThrownBy(() -> closed.take(1, null)).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }

  private static SftpPipe awaitOpen(ClientSession session) throws Exception {
    // sshd frees a closed channel's slot once its CLOSE is through; that is a round trip away.
    IOException last = null;
    for (int i = 0; i < 50; i++) {
      try {
        return SftpPipe.open(session);
      } catch (IOException e) {
        last = e;
        Thread.sleep(20);
      }
    }
    throw last;
  }

  private static byte[] version() {
    Buffer b = new ByteArrayBuffer();
    b.putUInt(1 + 4 + 4 + 5 + 4 + 1);
    b.putByte((byte) SftpConstants.SSH_FXP_VERSION);
    b.putUInt(3);
    b.putString("x-ext");
    b.putString("1");
    return b.getCompactData();
  }

  private static byte[] status(int id, int code) {
    Buffer b = new ByteArrayBuffer();
    b.putUInt(1 + 4 + 4 + 4 + 2 + 4);
    b.putByte((byte) SftpConstants.SSH_FXP_STATUS);
    b.putUInt(id);
    b.putUInt(code);
    b.putString("no");
    b.putString("");
    return b.getCompactData();
  }

  private static byte[] handle(int id, String handle) {
    Buffer b = new ByteArrayBuffer();
    b.putUInt(1 + 4 + 4 + handle.length());
    b.putByte((byte) SftpConstants.SSH_FXP_HANDLE);
    b.putUInt(id);
    b.putString(handle);
    return b.getCompactData();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayBuffer all = new ByteArrayBuffer();
    for (byte[] p : parts) {
      all.putRawBytes(p);
    }
    return all.getCompactData();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
