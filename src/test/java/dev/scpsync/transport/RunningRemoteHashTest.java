package dev.scpsync.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.transport.ssh.SshConnector;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RunningRemoteHash} against OpenSSH: the server hashes a file chunk by chunk as it grows,
 * and anything that keeps it from reading every chunk gives no digest rather than a wrong one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunningRemoteHashTest {
  private static final int CHUNK = 1 << 20;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path shared;
  private static TestServer sftp;

  @TempDir Path tmp;

  @BeforeAll
  static void startServer() throws Exception {
    sftp = TestServer.start(ServerKind.OPENSSH_SFTP, shared.resolve("sftp"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (sftp != null) {
      sftp.close();
    }
  }

  /** Chunks of 1 MiB are read 64 KiB at a time; 100,000 bytes, which 64 KiB does not divide, at once. */
  @ParameterizedTest(name = "chunks of {0} bytes")
  @ValueSource(ints = {CHUNK, 100_000})
  void aFileHashedChunkByChunkWhileItGrowsGivesTheDigestOfTheWholeFile(int chunk) throws Exception {
    byte[] data = random(5 * chunk + 12_345);
    TestServer.Location remote = sftp.location(tmp, "grow");
    Path onDisk = Files.createDirectories(remote.onDisk()).resolve("part");
    Files.createFile(onDisk);
    try (SshConnector connector = new SshConnector(sftp.sshOptions());
        ClientSession session = connector.connect(TargetSpec.parse(sftp.target(remote.remotePath())));
        RunningRemoteHash hash = RunningRemoteHash.start(session, remote.remotePath() + "/part", chunk, 0)) {
      for (int c = 0; c * chunk < data.length; c++) {
        try (OutputStream out = Files.newOutputStream(onDisk, StandardOpenOption.APPEND)) {
          out.write(data, c * chunk, Math.min(chunk, data.length - c * chunk));
        }
        hash.confirmed(c + 1);
        Thread.sleep(20); // let the server read some chunks before the file is complete
      }
      assertThat(hash.finish(WAIT)).contains(sha256(data));
    }
  }

  @Test
  void aResumedUploadsConfirmedChunksAreReadFirst() throws Exception {
    byte[] data = random(4 * CHUNK);
    TestServer.Location remote = sftp.location(tmp, "resume");
    Path onDisk = Files.createDirectories(remote.onDisk()).resolve("part");
    Files.write(onDisk, java.util.Arrays.copyOf(data, 3 * CHUNK));
    try (SshConnector connector = new SshConnector(sftp.sshOptions());
        ClientSession session = connector.connect(TargetSpec.parse(sftp.target(remote.remotePath())));
        RunningRemoteHash hash = RunningRemoteHash.start(session, remote.remotePath() + "/part", CHUNK, 3)) {
      try (OutputStream out = Files.newOutputStream(onDisk, StandardOpenOption.APPEND)) {
        out.write(data, 3 * CHUNK, CHUNK);
      }
      hash.confirmed(4);
      assertThat(hash.finish(WAIT)).contains(sha256(data));
    }
  }

  @Test
  void aChunkTheServerCannotReadGivesNoDigestRatherThanOneOfLess() throws Exception {
    TestServer.Location remote = sftp.location(tmp, "vanish");
    Path onDisk = Files.createDirectories(remote.onDisk()).resolve("part");
    Files.write(onDisk, random(2 * CHUNK));
    try (SshConnector connector = new SshConnector(sftp.sshOptions());
        ClientSession session = connector.connect(TargetSpec.parse(sftp.target(remote.remotePath())));
        RunningRemoteHash hash = RunningRemoteHash.start(session, remote.remotePath() + "/part", CHUNK, 1)) {
      Thread.sleep(300); // the first chunk is read
      Files.delete(onDisk);
      hash.confirmed(2);
      assertThat(hash.finish(WAIT)).isEmpty();
      assertThat(session.isOpen()).as("the session goes on").isTrue();
    }
  }

  @Test
  void aServerThatRunsNoShellGivesNoDigest() throws Exception {
    try (TestServer server = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("server"))) {
      TestServer.Location remote = server.location(tmp, "dest");
      Path onDisk = Files.createDirectories(remote.onDisk()).resolve("part");
      Files.write(onDisk, random(CHUNK));
      try (SshConnector connector = new SshConnector(server.sshOptions());
          ClientSession session = connector.connect(TargetSpec.parse(server.target(remote.remotePath())));
          RunningRemoteHash hash = RunningRemoteHash.start(session, remote.remotePath() + "/part", CHUNK, 0)) {
        hash.confirmed(1);
        Optional<String> digest = hash.finish(WAIT);
        assertThat(digest).isEmpty();
        assertThat(session.isOpen()).as("the session goes on").isTrue();
      }
    }
  }

  private static byte[] random(int size) {
    byte[] data = new byte[size];
    new SplittableRandom(size).nextBytes(data);
    return data;
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
