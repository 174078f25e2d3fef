package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.testing.CuttingProxy;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push of many small files over the batching SFTP channels ({@code SftpPipe}), with the TCP
 * connection dropped half way by a proxy: whatever is at a final path is complete and right, the
 * push says it failed, and the next push converges with no temp file left.
 */
class SmallFilesCutTest {
  private static final int FILES = 2_000;
  private static final int SIZE = 1_000;

  @TempDir Path tmp;

  @Test
  void aConnectionCutHalfWayThroughABatchLeavesOnlyCompleteFilesAndTheNextPushConverges() throws Exception {
    try (TestServer server = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("server"));
        CuttingProxy proxy = CuttingProxy.to(server.port())) {
      Path src = Files.createDirectories(tmp.resolve("src"));
      for (int i = 0; i < FILES; i++) {
        Path dir = Files.createDirectories(src.resolve("d" + i % 4));
        Files.writeString(dir.resolve("f" + i + ".txt"), (i + ":").repeat(SIZE / 2).substring(0, SIZE));
      }
      TestServer.Location remote = server.location(tmp, "dest");
      Path knownHosts = proxy.knownHosts(server.knownHosts(), tmp);
      String target = server.target(remote.remotePath()).replace(":" + server.port() + ":", ":" + proxy.port() + ":");
      List<String> push = CliRun.args("push", src, target, "--known-hosts", knownHosts, "-i", server.userKey(),
          "--no-agent", "-F", "/dev/null", "--state-dir", tmp.resolve("state"));

      proxy.cutAfter((long) FILES * SIZE / 2);
      CliRun cut = CliRun.of(push);
      assertThat(proxy.cuts()).as("the proxy cut the connection").isEqualTo(1);
      assertThat(cut.exitCode()).as(cut.toString()).isNotZero();
      List<Path> arrived = Trees.finalFiles(remote.onDisk());
      assertThat(arrived).as("some files arrived before the cut, not all").isNotEmpty().hasSizeLessThan(FILES);
      for (Path there : arrived) {
        Path here = src.resolve(remote.onDisk().relativize(there));
        assertThat(there).as("complete at its final path").hasSameBinaryContentAs(here);
      }

      CliRun again = CliRun.of(push);
      assertThat(again.exitCode()).as(again.toString()).isZero();
      Trees.assertSameTree(src, remote.onDisk());
      assertThat(Trees.tempFiles(remote.onDisk())).as("temp files left at the remote").isEmpty();
    }
  }
}
