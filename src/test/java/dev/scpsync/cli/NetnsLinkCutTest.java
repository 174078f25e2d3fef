package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.NetnsHost;
import dev.scpsync.testing.OpenSshServer;
import dev.scpsync.testing.Processes;
import dev.scpsync.testing.RequiredTools;
import dev.scpsync.testing.ServerKind;
import dev.scpsync.testing.TestServer;
import dev.scpsync.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watch to two targets, one of them an OpenSSH server in a network namespace of its own whose
 * link is cut ({@code ip link set down}, no reset sent to either side) and later restored: the
 * target on loopback keeps getting every change while the link is down, the cut one gets none, and
 * once the link is back it converges. Every connection of the watch goes to loopback or to the
 * namespace, nowhere else.
 *
 * <p>What a silent cut looks like from the watch (measured): nothing at first. The cut target's
 * batch waits for an SFTP reply, and the session is given up only when three keepalives went
 * unanswered (SshConnector: every 15 s, 15 s for a reply), about a minute after the cut; then it
 * reports "reconnecting", fails fast ("no route to host") until the link is back, reconnects and
 * reconciles. A shorter cut, as here, is ridden out by the same session: once the link is up, TCP's
 * next retransmission (a locally refused one is retried every half second) delivers what waited.
 */
class NetnsLinkCutTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final Duration CATCH_UP_DEADLINE = Duration.ofSeconds(60);
  /**
   * A cut shorter than this cannot have cost the session three unanswered keepalives (the first
   * could go unanswered only after 15 s, the third after 45 s).
   */
  private static final Duration UNNOTICED_CUT = Duration.ofSeconds(30);

  @TempDir Path tmp;

  @Test
  void aCutLinkHoldsUpOnlyItsOwnTargetWhichConvergesWhenTheLinkReturns() throws Exception {
    RequiredTools.require("ss (iproute2)", "/usr/bin/ss", "/bin/ss", "/usr/sbin/ss", "/sbin/ss");
    try (NetnsHost host = NetnsHost.create();
        OpenSshServer far = OpenSshServer.withSftp(tmp.resolve("far-sshd"), host.address(), host.execPrefix());
        TestServer near = TestServer.start(ServerKind.EMBEDDED_RECEIVER, tmp.resolve("near-receiver"));
        ConnectionSampler connections = new ConnectionSampler(host)) {
      Path src = Files.createDirectories(tmp.resolve("src"));
      Files.writeString(src.resolve("keep.txt"), "unchanged\n");
      Files.writeString(src.resolve("edit.txt"), "first version\n");
      Files.writeString(src.resolve("doomed.txt"), "deleted while the link is down\n");
      Files.createDirectories(src.resolve("sub"));
      Files.writeString(src.resolve("sub/deep.txt"), "in a directory\n");
      Path farDir = tmp.resolve("far");
      TestServer.Location nearDir = near.location(tmp, "near");
      String farTarget = far.target(farDir);
      String nearTarget = near.target(nearDir.remotePath());
      assertThat(farTarget).contains("@" + host.address() + ":");

      try (WatchRun watch = WatchRun.start(CliRun.args("watch", src, farTarget, nearTarget,
          "--known-hosts", far.knownHosts(), "-i", far.userKey(),
          "--known-hosts", near.knownHosts(), "-i", near.userKey(),
          "--no-agent", "-F", "/dev/null", "--state-dir", tmp.resolve("state"), "--delete", "--no-http"), 2)) {
        Trees.assertSameTree(src, farDir);
        Trees.assertSameTree(src, nearDir.onDisk());
        Files.writeString(src.resolve("before-cut.txt"), "both get this\n");
        await().atMost(DEADLINE).untilAsserted(() -> {
          assertThat(farDir.resolve("before-cut.txt")).hasContent("both get this");
          assertThat(nearDir.onDisk().resolve("before-cut.txt")).hasContent("both get this");
        });

        long cutAt = System.nanoTime();
        host.linkDown();
        assertThat(host.routeToNamespace()).as("packets for a cut namespace stay on this machine")
            .contains("No route to host").doesNotContain(" dev ");
        // One change after another, each awaited on the loopback target: if the cut target's stuck
        // batch held up the watch, the next change would never arrive.
        for (int i = 0; i < 3; i++) {
          Files.writeString(src.resolve("during-cut-" + i + ".txt"), "made while cut " + i + "\n");
          int n = i;
          await().atMost(DEADLINE).untilAsserted(() ->
              assertThat(nearDir.onDisk().resolve("during-cut-" + n + ".txt")).hasContent("made while cut " + n));
        }
        Files.writeString(src.resolve("edit.txt"), "second version, longer than the first\n");
        await().atMost(DEADLINE).untilAsserted(() ->
            assertThat(nearDir.onDisk().resolve("edit.txt")).hasContent("second version, longer than the first"));
        Files.delete(src.resolve("doomed.txt"));
        await().atMost(DEADLINE).until(() -> !Files.exists(nearDir.onDisk().resolve("doomed.txt")));
        Files.writeString(src.resolve("sub/new-in-sub.txt"), "also while cut\n");
        await().atMost(DEADLINE).untilAsserted(() ->
            assertThat(nearDir.onDisk().resolve("sub/new-in-sub.txt")).hasContent("also while cut"));
        Trees.assertSameTree(src, nearDir.onDisk());

        assertThat(farDir.resolve("during-cut-0.txt")).as("the cut target got nothing").doesNotExist();
        assertThat(farDir.resolve("sub/new-in-sub.txt")).doesNotExist();
        assertThat(farDir.resolve("edit.txt")).hasContent("first version");
        assertThat(farDir.resolve("doomed.txt")).exists();
        boolean shortCut = Duration.ofNanos(System.nanoTime() - cutAt).compareTo(UNNOTICED_CUT) < 0;
        if (shortCut) {
          assertThat(watch.err()).as("a silent cut goes unnoticed until the keepalives run out").doesNotContain(farTarget);
        }

        host.linkUp();
        await().atMost(CATCH_UP_DEADLINE).untilAsserted(() -> Trees.assertSameTree(src, farDir));
        if (shortCut && Duration.ofNanos(System.nanoTime() - cutAt).compareTo(UNNOTICED_CUT) < 0) {
          assertThat(watch.err()).as("the session outlived the short cut").doesNotContain(farTarget);
        }
        Trees.assertSameTree(src, nearDir.onDisk());
        assertThat(watch.stop()).as(watch.toString()).isZero();
        assertThat(Trees.tempFiles(farDir)).isEmpty();
        assertThat(Trees.tempFiles(nearDir.onDisk())).isEmpty();
        assertThat(watch.err()).as("nothing was given up on").doesNotContain("not retrying");
      }
      connections.stop();
      assertThat(connections.peersOfThisProcess())
          .as("the watch connected to loopback and the namespace only")
          .isNotEmpty()
          .isSubsetOf(Set.of("127.0.0.1", host.address()))
          .contains(host.address());
      assertThat(connections.peersInNamespace())
          .as("inside the namespace, sshd spoke to this machine's end of the link only")
          .isNotEmpty()
          .isSubsetOf(Set.of(host.hostAddress()));
    }
  }

  /**
   * Samples, a few times a second, the TCP and UDP sockets of this process and of the namespace
   * ({@code ss}), collecting the peer addresses they talk to.
   */
  private static final class ConnectionSampler implements AutoCloseable {
    private static final Pattern PEER = Pattern.compile("^\\S+\\s+\\S+\\s+\\d+\\s+\\d+\\s+\\S+\\s+(\\S+):(\\d+|\\*)");
    private final NetnsHost host;
    private final String ownPid = "pid=" + ProcessHandle.current().pid() + ",";
    private final Set<String> own = new ConcurrentSkipListSet<>();
    private final Set<String> inNamespace = new ConcurrentSkipListSet<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    ConnectionSampler(NetnsHost host) {
      this.host = host;
      this.thread = Thread.ofVirtual().name("connection-sampler").start(this::sample);
    }

    private void sample() {
      try {
        while (running) {
          for (String line : Processes.runOk(List.of("ss", "-Htunp")).stdout().split("\n")) {
            if (line.contains(ownPid)) {
              peer(line, own);
            }
          }
          List<String> inside = new ArrayList<>(host.execPrefix());
          inside.addAll(List.of("ss", "-Htun"));
          for (String line : Processes.runOk(inside).stdout().split("\n")) {
            peer(line, inNamespace);
          }
          Thread.sleep(250);
        }
      } catch (IOException | AssertionError e) {
        failure = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** {@code Netid State Recv-Q Send-Q Local:Port Peer:Port [Process]}. */
    private static void peer(String line, Set<String> into) {
      Matcher m = PEER.matcher(line.trim());
      if (m.find() && !m.group(1).equals("*")) {
        into.add(m.group(1).replaceAll("^\\[|]$", "").replaceFirst("^::ffff:", ""));
      }
    }

    Set<String> peersOfThisProcess() {
      assertThat(failure).as("sampling with ss").isNull();
      return own;
    }

    Set<String> peersInNamespace() {
      return inNamespace;
    }

    /** Ends sampling; what was seen stays. */
    void stop() {
      running = false;
      try {
        thread.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      stop();
    }
  }
}
