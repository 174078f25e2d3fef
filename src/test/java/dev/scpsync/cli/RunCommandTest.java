package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scpsync.engine.Placement;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scpsync run -c FILE} against real servers: the config's targets, placement and options
 * reach the engine; a sharded layout matches the placement function on disk, before and after a
 * target is added; {@code --check} and {@code placement} work without connecting.
 */
class RunCommandTest {
  private static final int FILES = 2000;

  @TempDir Path tmp;

  /** A config naming {@code servers} as t1..tN, sharding with {@code replicas}. */
  private Path config(Path src, List<TestServer> servers, List<TestServer.Location> where, int replicas) throws Exception {
    StringBuilder y = new StringBuilder();
    y.append("source: ").append(src).append('\n');
    y.append("state-dir: ").append(tmp.resolve("state")).append('\n');
    y.append("delete: true\n");
    y.append("placement: {mode: shard, replicas: ").append(replicas).append("}\n");
    y.append("monitor: {http: off}\n");
    y.append("ssh:\n  agent: false\n  config: /dev/null\n  known-hosts:\n");
    servers.forEach(s -> y.append("    - ").append(s.knownHosts()).append('\n'));
    y.append("  identities:\n");
    servers.forEach(s -> y.append("    - ").append(s.userKey()).append('\n'));
    y.append("targets:\n");
    for (int i = 0; i < servers.size(); i++) {
      y.append("  - name: t").append(i + 1).append('\n');
      y.append("    target: ").append(servers.get(i).target(where.get(i).remotePath())).append('\n');
    }
    return Files.writeString(tmp.resolve("scpsync.yaml"), y.toString());
  }

  /** For every file of the tree, the targets whose disk holds it. */
  private static Map<String, Set<String>> layout(Path src, List<TestServer.Location> where) throws Exception {
    Map<String, Set<String>> on = new HashMap<>();
    try (var walk = Files.walk(src)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        String rel = src.relativize(f).toString();
        Set<String> holders = new TreeSet<>();
        for (int i = 0; i < where.size(); i++) {
          if (Files.exists(where.get(i).onDisk().resolve(rel))) {
            holders.add("t" + (i + 1));
          }
        }
        on.put(rel, holders);
      }
    }
    return on;
  }

  private static void assertMatchesPlacement(Map<String, Set<String>> layout, Placement placement) {
    layout.forEach((path, holders) -> assertThat(holders).as(path).isEqualTo(new TreeSet<>(placement.targetsFor(path))));
  }

  @Test
  void aShardedRunPlacesEachFileOnExactlyItsTargetsAndAddingATargetMovesAboutRoverN() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    for (int i = 0; i < FILES; i++) {
      Path dir = Files.createDirectories(src.resolve("d" + (i % 20)));
      Files.writeString(dir.resolve("f" + i + ".txt"), "file " + i + "\n");
    }
    List<TestServer> servers = new ArrayList<>();
    try {
      // One SCP-only OpenSSH first (its key is offered first: OpenSSH allows 6 attempts), then receivers.
      servers.add(TestServer.start(ServerKind.OPENSSH_SCP_ONLY, tmp.resolve("s1")));
      for (int i = 2; i <= 6; i++) {
        servers.add(TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("s" + i)));
      }
      List<TestServer.Location> where = new ArrayList<>();
      for (TestServer s : servers) {
        where.add(s.location(tmp, "dest"));
      }

      Path five = config(src, servers.subList(0, 5), where.subList(0, 5), 2);
      CliRun check = CliRun.of("run", "--check", "-c", five.toString());
      assertThat(check.exitCode()).as(check.toString()).isZero();
      assertThat(check.out()).contains("5 target(s)").contains("shard, 2 replica(s)");

      CliRun first = CliRun.of("run", "-c", five.toString(), "--exit-after", "1s");
      assertThat(first.exitCode()).as(first.toString()).isZero();
      Placement placedOnFive = Placement.shard(List.of("t1", "t2", "t3", "t4", "t5"), 2);
      Map<String, Set<String>> before = layout(src, where.subList(0, 5));
      assertMatchesPlacement(before, placedOnFive);
      Map<String, Integer> counts = new HashMap<>();
      before.values().forEach(h -> h.forEach(t -> counts.merge(t, 1, Integer::sum)));
      double ideal = FILES * 2.0 / 5;
      counts.forEach((t, n) -> assertThat(Math.abs(n - ideal) / ideal).as("%s holds %d, ideal %.0f", t, n, ideal)
          .isLessThan(0.15));
      for (int i = 0; i < 5; i++) {
        assertThat(Trees.tempFiles(where.get(i).onDisk())).isEmpty();
      }

      CliRun placed = CliRun.of("placement", "-c", five.toString(), "d3/f3.txt");
      assertThat(placed.out().strip()).isEqualTo("d3/f3.txt\t" + String.join(" ", placedOnFive.targetsFor("d3/f3.txt")));

      Path six = config(src, servers, where, 2);
      CliRun second = CliRun.of("run", "-c", six.toString(), "--exit-after", "1s");
      assertThat(second.exitCode()).as(second.toString()).isZero();
      Map<String, Set<String>> after = layout(src, where);
      assertMatchesPlacement(after, Placement.shard(List.of("t1", "t2", "t3", "t4", "t5", "t6"), 2));
      long moved = before.keySet().stream().filter(p -> !before.get(p).equals(after.get(p))).count();
      assertThat(moved / (double) FILES).as("%d of %d files moved", moved, FILES).isBetween(0.25, 0.42);
    } finally {
      for (TestServer s : servers) {
        s.close();
      }
    }
  }

  @Test
  void aBadConfigIsAUsageErrorWithItsLocation() throws Exception {
    Path file = Files.writeString(tmp.resolve("bad.yaml"), "source: .\ntargets:\n  - target: a:/x\n    colour: red\n");
    CliRun run = CliRun.of("run", "--check", "-c", file.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains(file + ":4:5: unknown key 'colour'");

  }

  @Test
  void hooksRunLocallyWhenAFileReachedEveryTargetAndRemotelyAfterATargetConverged() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "a\n");
    Files.writeString(src.resolve("$(touch pwned).txt"), "hostile name\n");
    Path hookLog = tmp.resolve("on-synced.log");
    Path log = tmp.resolve("scpsync.log");
    try (TestServer openssh = TestServer.start(ServerKind.OPENSSH_SFTP, tmp.resolve("ssh"));
        TestServer receiver = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("recv"))) {
      TestServer.Location a = openssh.location(tmp, "a");
      TestServer.Location b = receiver.location(tmp, "b");
      Path afterSyncLog = tmp.resolve("after-sync.log");
      String yaml = "source: " + src + "\n"
          + "state-dir: " + tmp.resolve("state") + "\n"
          + "monitor: {http: off, log-format: json, log-file: " + log + "}\n"
          + "hooks:\n  debounce: 200ms\n  on-synced: [/bin/sh, -c, 'printf \"%s|%s|%s\\n\" \"$SCPSYNC_PATH\" \"$SCPSYNC_TARGETS\" \"$SCPSYNC_PLACEMENT\" >> " + hookLog + "']\n"
          + "ssh:\n  agent: false\n  config: /dev/null\n  known-hosts: [" + openssh.knownHosts() + ", " + receiver.knownHosts() + "]\n"
          + "  identities: [" + openssh.userKey() + ", " + receiver.userKey() + "]\n"
          + "targets:\n"
          + "  - name: a\n    target: " + openssh.target(a.remotePath()) + "\n    after-sync: echo ran >> " + afterSyncLog + "\n"
          + "  - name: b\n    target: " + receiver.target(b.remotePath()) + "\n    after-sync: 'true'\n";
      Path config = Files.writeString(tmp.resolve("hooks.yaml"), yaml);
      String java = ProcessHandle.current().info().command().orElseThrow();
      List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
          System.getProperty("java.class.path"), Main.class.getName(), "run", "-c", config.toString()));
      Process child = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
          .redirectOutput(tmp.resolve("child.out").toFile()).start();
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(afterSyncLog)
            && Files.exists(hookLog) && Files.readAllLines(hookLog).size() == 2 && Files.exists(log)
            && Files.readString(log).contains("\"event\":\"hook.after-sync\",\"target\":\"a\"")
            && Files.readString(log).contains("\"event\":\"hook.after-sync\",\"target\":\"b\""));
        child.destroy();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(Files.readString(tmp.resolve("child.out"))).isZero();
      } finally {
        child.destroyForcibly();
      }

      assertThat(Files.readAllLines(hookLog)).containsExactlyInAnyOrder(
          "a.txt|a b|mirror", "$(touch pwned).txt|a b|mirror");
      assertThat(tmp.resolve("pwned")).as("a file name is never run as shell").doesNotExist();
      assertThat(Files.readAllLines(afterSyncLog)).containsExactly("ran");
      assertThat(Files.readString(log)).containsPattern("\"event\":\"hook.after-sync\",\"target\":\"a\"")
          .containsPattern("\"level\":\"WARN\".*\"event\":\"hook.after-sync\",\"target\":\"b\".*exit");
    }
  }

  @Test
  void balanceDeliversEachFileExactlyOnceGivesTheSlowTargetFewerAndKeepsThatAcrossARestart() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    List<TestServer> servers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      servers.add(TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("s" + i)));
    }
    try (dev.scpsync.testing.CuttingProxy proxy = dev.scpsync.testing.CuttingProxy.to(servers.get(2).port())) {
      proxy.throttle(20_000); // t3 sits behind a slow link
      List<TestServer.Location> where = new ArrayList<>();
      for (TestServer s : servers) {
        where.add(s.location(tmp, "dest"));
      }
      Path slowKnownHosts = proxy.knownHosts(servers.get(2).knownHosts(), tmp);
      StringBuilder y = new StringBuilder("source: " + src + "\nstate-dir: " + tmp.resolve("state")
          + "\nplacement: {mode: balance, strategy: least-loaded}\nmonitor: {http: off}\n"
          + "ssh:\n  agent: false\n  config: /dev/null\n  known-hosts: [" + servers.get(0).knownHosts() + ", "
          + servers.get(1).knownHosts() + ", " + slowKnownHosts + "]\n  identities: [" + servers.get(0).userKey() + ", "
          + servers.get(1).userKey() + ", " + servers.get(2).userKey() + "]\ntargets:\n");
      for (int i = 0; i < 3; i++) {
        String target = i < 2 ? servers.get(i).target(where.get(i).remotePath())
            : servers.get(i).target(where.get(i).remotePath()).replace(":" + servers.get(i).port() + ":", ":" + proxy.port() + ":");
        y.append("  - {name: t").append(i + 1).append(", target: '").append(target).append("'}\n");
      }
      Path config = Files.writeString(tmp.resolve("balance.yaml"), y.toString());

      try (WatchRun run = WatchRun.start(CliRun.args("run", "-c", config), 3)) {
        for (int d = 0; d < 10; d++) {
          Path dir = Files.createDirectories(src.resolve("in-" + d));
          for (int f = 0; f < 100; f++) {
            Files.writeString(dir.resolve("f" + f + ".txt"), "spool item " + d + "/" + f + "\n");
          }
          Thread.sleep(100); // files keep arriving, as in a spool; this paces the writer, it waits for nothing
        }
        await().atMost(Duration.ofSeconds(120))
            .until(() -> layout(src, where).values().stream().allMatch(h -> h.size() == 1));
        assertThat(run.stop()).as(run.toString()).isZero();
      }
      Map<String, Set<String>> first = layout(src, where);
      assertThat(first).hasSize(1000);
      first.forEach((path, holders) -> assertThat(holders).as(path).hasSize(1));
      Map<String, Integer> counts = new HashMap<>();
      first.values().forEach(h -> counts.merge(h.iterator().next(), 1, Integer::sum));
      assertThat(counts.getOrDefault("t3", 0)).as("the slow target gets fewer: %s", counts)
          .isLessThan(counts.get("t1")).isLessThan(counts.get("t2"));

      CliRun again = CliRun.of("run", "-c", config.toString(), "--exit-after", "1s");
      assertThat(again.exitCode()).as(again.toString()).isZero();
      Map<String, Set<String>> after = layout(src, where);
      Map<String, String> moved = new java.util.TreeMap<>();
      first.forEach((path, holders) -> {
        if (!holders.equals(after.get(path))) {
          moved.put(path, holders + " -> " + after.get(path));
        }
      });
      assertThat(moved).as("after a restart every file is still on exactly the same one target").isEmpty();
    } finally {
      for (TestServer s : servers) {
        s.close();
      }
    }
  }

  @Test
  void sighupAndAChangedFileReloadTheTargetsWhileTheRunningOnesKeepGoing() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("one.txt"), "one\n");
    try (TestServer a = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("a"));
        TestServer b = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("b"))) {
      TestServer.Location atA = a.location(tmp, "dest");
      TestServer.Location atB = b.location(tmp, "dest");
      String head = "source: " + src + "\nstate-dir: " + tmp.resolve("state") + "\ndelete: true\nmonitor: {http: off}\n"
          + "ssh:\n  agent: false\n  config: /dev/null\n  known-hosts: [" + a.knownHosts() + ", " + b.knownHosts() + "]\n"
          + "  identities: [" + a.userKey() + ", " + b.userKey() + "]\ntargets:\n";
      String targetA = "  - {name: a, target: '" + a.target(atA.remotePath()) + "'}\n";
      String targetB = "  - {name: b, target: '" + b.target(atB.remotePath()) + "'}\n";
      Path config = Files.writeString(tmp.resolve("reload.yaml"), head + targetA);
      String javaBin = ProcessHandle.current().info().command().orElseThrow();
      Path out = tmp.resolve("child.out");
      Path err = tmp.resolve("child.err");
      Process child = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp",
          System.getProperty("java.class.path"), Main.class.getName(), "run", "-c", config.toString())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      Duration deadline = Duration.ofSeconds(30);
      try {
        await().atMost(deadline).until(() -> Files.readString(out).contains("watching for changes"));

        Files.writeString(config, head + targetA + targetB);
        new ProcessBuilder("kill", "-HUP", Long.toString(child.pid())).start().waitFor();
        await().atMost(deadline).until(() -> Files.readString(err).contains("(SIGHUP)"));
        await().atMost(deadline).until(() -> Files.exists(atB.onDisk().resolve("one.txt")));
        Files.writeString(src.resolve("two.txt"), "two\n");
        await().atMost(deadline).until(() ->
            Files.exists(atA.onDisk().resolve("two.txt")) && Files.exists(atB.onDisk().resolve("two.txt")));

        Files.writeString(config, head + targetB); // no signal: the file's change is noticed
        await().atMost(deadline).until(() -> Files.readString(err).contains("removed a"));
        Files.writeString(src.resolve("three.txt"), "three\n");
        await().atMost(deadline).until(() -> Files.exists(atB.onDisk().resolve("three.txt")));
        assertThat(atA.onDisk().resolve("three.txt")).as("a was removed from the config").doesNotExist();

        Files.writeString(config, head + "  - {name: b, target: '" + b.target(atB.remotePath()) + "', colour: red}\n");
        await().atMost(deadline).until(() -> Files.readString(err).contains("not reloaded"));
        assertThat(Files.readString(err)).contains(config + ":").contains("unknown key 'colour'");
        Files.writeString(src.resolve("four.txt"), "four\n");
        await().atMost(deadline).until(() -> Files.exists(atB.onDisk().resolve("four.txt")));

        child.destroy();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(Files.readString(err)).isZero();
        Trees.assertSameTree(src, atB.onDisk());
      } finally {
        child.destroyForcibly();
      }
    }
  }
}
