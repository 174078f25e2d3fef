package dev.scpsync.transport.scp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.Protocol;
import dev.scpsync.transport.Remote;
import dev.scpsync.transport.RemoteOpener;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.TransferListener;
import dev.scpsync.tree.Entry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One session doing many things in a row against an OpenSSH server that allows one channel per
 * connection at a time ({@code MaxSessions 1}): every command's channel must be closed so that the
 * server frees it, or the next one is refused ("open failed") until the session ends.
 */
class ScpChannelLimitTest {
  private static final Instant T = Instant.parse("2024-05-06T07:08:09Z");

  @TempDir Path tmp;

  @Test
  void aSessionThatClosesEveryChannelItOpensRunsOnAServerThatAllowsOneAtATime() throws Exception {
    try (ScpOnlyServer server = ScpOnlyServer.start(tmp.resolve("sshd"))) {
      server.sshd.restartWithMaxSessions(1);
      Path root = Files.createDirectories(tmp.resolve("remote"));
      TargetSpec target = TargetSpec.parse(server.sshd.target(root));
      try (ClientSession session = server.connector.connect(target)) {
        for (int i = 0; i < 20; i++) {
          try (RemoteProcess p = RemoteProcess.start(session, "echo " + i, Duration.ofMinutes(1))) {
            p.closeStdin();
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out.strip()).isEqualTo("" + i);
            assertThat(p.exitStatus()).isZero();
          }
        }
      }
      try (ScpRemote remote = server.open(root)) {
        for (int round = 0; round < 3; round++) {
          String dir = "d" + round;
          assertThat(remote.mkdirs(List.of(Entry.directory(dir, T, 0755)))).isEmpty();
          List<FileTransfer> files = new ArrayList<>();
          for (int f = 0; f < 3; f++) {
            Path local = Files.writeString(tmp.resolve("src-" + round + "-" + f), "file " + f);
            Entry entry = Entry.file(dir + "/f" + f, Files.size(local), T, 0644);
            files.add(new FileTransfer(entry, local));
          }
          List<Exception> failures = new ArrayList<>();
          remote.upload(
              files,
              new TransferListener() {
                @Override
                public void failed(FileTransfer file, Exception cause) {
                  failures.add(cause);
                }
              });
          assertThat(failures).isEmpty();
          assertThat(remote.list().tree().entries()).hasSize(4 * (round + 1));
        }
      }
    }
  }

  @Test
  void findingThatTheServerHasNoSftpLeavesNoChannelBehind() throws Exception {
    try (ScpOnlyServer server = ScpOnlyServer.start(tmp.resolve("sshd"))) {
      server.sshd.restartWithMaxSessions(1);
      Path root = Files.createDirectories(tmp.resolve("remote"));
      TargetSpec target = TargetSpec.parse(server.sshd.target(root));
      try (Remote remote = RemoteOpener.open(server.connector, target, Protocol.AUTO, 0)) {
        assertThat(remote.protocol()).isEqualTo(Protocol.SCP);
        assertThat(remote.mkdirs(List.of(Entry.directory("d", T, 0755)))).isEmpty();
        assertThat(remote.list().tree().entries()).extracting(Entry::path).containsExactly("d");
      }
    }
  }
}
