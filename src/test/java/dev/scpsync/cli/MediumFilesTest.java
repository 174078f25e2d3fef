package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.testing.CuttingProxy;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Files of more than one SFTP write and less than a chunk (256 KiB to 8 MiB), which many uploads
 * send at once over one shared channel of our own: every byte, mode and mtime arrives, sizes that
 * change are followed, and a connection cut in the middle leaves only complete files behind.
 */
class MediumFilesTest {
  private static final int FILES = 48;
  private static final Instant T = Instant.parse("2024-03-04T05:06:07Z");

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(value = ServerKind.class, names = {"OPENSSH_SFTP", "EMBEDDED_RECEIVER"})
  void manyAtOnceArriveWhole(ServerKind kind) throws Exception {
    try (TestServer server = TestServer.start(kind, tmp.resolve("server"))) {
      Path src = source(1);
      TestServer.Location remote = server.location(tmp, "dest");
      List<String> push = push(src, server.target(remote.remotePath()), server);

      CliRun first = CliRun.of(push);
      assertThat(first.exitCode()).as(first.toString()).isZero();
      Trees.assertSameTree(src, remote.onDisk());

      // Half the files change size and content (some grow past a chunk's worth of writes, some shrink).
      SplittableRandom random = new SplittableRandom(2);
      for (int i = 0; i < FILES; i += 2) {
        Path f = src.resolve("m" + i + ".bin");
        write(f, random, 256 * 1024 + 1 + random.nextInt(5 << 20), T.plusSeconds(1000 + i));
      }
      CliRun second = CliRun.of(push);
      assertThat(second.exitCode()).as(second.toString()).isZero();
      Trees.assertSameTree(src, remote.onDisk());
      assertThat(Trees.tempFiles(remote.onDisk())).as("temp files left").isEmpty();
    }
  }

  @Test
  void aConnectionCutWhileManyAreOnTheirWayLeavesOnlyCompleteFiles() throws Exception {
    try (TestServer server = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("server"));
        CuttingProxy proxy = CuttingProxy.to(server.port())) {
      Path src = source(3);
      long total;
      try (Stream<Path> files = Files.list(src)) {
        total = files.mapToLong(p -> p.toFile().length()).sum();
      }
      TestServer.Location remote = server.location(tmp, "dest");
      Path knownHosts = proxy.knownHosts(server.knownHosts(), tmp);
      String target = server.target(remote.remotePath()).replace(":" + server.port() + ":", ":" + proxy.port() + ":");
      List<String> push = CliRun.args("push", src, target, "--known-hosts", knownHosts, "-i", server.userKey(),
          "--no-agent", "-F", "/dev/null", "--state-dir", tmp.resolve("state"));

      proxy.cutAfter(total / 2);
      CliRun cut = CliRun.of(push);
      assertThat(proxy.cuts()).as("the proxy cut the connection").isEqualTo(1);
      assertThat(cut.exitCode()).as(cut.toString()).isNotZero();
      for (Path there : Trees.finalFiles(remote.onDisk())) {
        assertThat(there).as("complete at its final path").hasSameBinaryContentAs(src.resolve(there.getFileName()));
      }

      CliRun again = CliRun.of(push);
      assertThat(again.exitCode()).as(again.toString()).isZero();
      Trees.assertSameTree(src, remote.onDisk());
      assertThat(Trees.tempFiles(remote.onDisk())).as("temp files left").isEmpty();
    }
  }

  private Path source(int seed) throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < FILES; i++) {
      Path f = src.resolve("m" + i + ".bin");
      write(f, random, 256 * 1024 + 1 + random.nextInt(3 << 20), T.plusSeconds(i));
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(i % 3 == 0 ? "rw-------" : "rw-r--r--"));
    }
    return src;
  }

  private static void write(Path f, SplittableRandom random, int size, Instant mtime) throws IOException {
    byte[] data = new byte[size];
    random.nextBytes(data);
    Files.write(f, data);
    Files.setLastModifiedTime(f, FileTime.from(mtime));
  }

  private List<String> push(Path src, String target, TestServer server) {
    List<String> args = new ArrayList<>(List.of("push", src.toString(), target));
    args.addAll(server.cliOptions());
    args.addAll(List.of("--state-dir", tmp.resolve("state").toString()));
    return args;
  }
}
