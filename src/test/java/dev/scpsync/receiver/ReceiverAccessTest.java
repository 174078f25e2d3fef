package dev.scpsync.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who and what the receiver turns away: unknown keys, passwords, commands, shells, forwarding. */
class ReceiverAccessTest {
  @TempDir Path tmp;
  private ReceiverFixture fixture;

  @BeforeEach
  void start() throws Exception {
    OpenSsh.requireClients();
    fixture = ReceiverFixture.start(tmp.resolve("server"));
  }

  @AfterEach
  void stop() throws IOException {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aKeyNotInAuthorizedKeysIsRefused() throws Exception {
    Path stranger = tmp.resolve("stranger_ed25519");
    OpenSsh.generateUserKey(stranger);

    OpenSsh.Run refused = fixture.sftpAs(stranger, ReceiverFixture.USER, "ls");
    OpenSsh.Run accepted = fixture.sftp("ls");

    assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
    assertThat(refused.stderr()).contains("Permission denied (publickey)");
    assertThat(accepted.exitCode()).as(accepted.toString()).isZero();
  }

  @Test
  void aKeyWithOptionsTheReceiverCannotEnforceIsRefused() throws Exception {
    // OpenSSH would let this key run one command only; MINA alone ignores command= entirely.
    String key = Files.readString(Path.of(fixture.userKey + ".pub")).strip();
    Files.writeString(fixture.authorizedKeys, "command=\"/usr/bin/true\" " + key + "\n");
    OpenSsh.Run restricted = fixture.sftp("ls");

    Files.writeString(
        fixture.authorizedKeys, "restrict,no-pty,from=\"127.0.0.1\" " + key + "\n");
    OpenSsh.Run enforceable = fixture.sftp("ls");

    assertThat(restricted.exitCode()).as(restricted.toString()).isNotZero();
    assertThat(restricted.stderr()).contains("Permission denied (publickey)");
    assertThat(enforceable.exitCode()).as(enforceable.toString()).isZero();
  }

  @Test
  void anyUserNameIsAcceptedWithAnAuthorizedKey() throws Exception {
    Files.writeString(fixture.root.resolve("shared.txt"), "same tree for everyone");

    fixture
        .sftpAs(fixture.userKey, "somebody-else", "get shared.txt " + tmp.resolve("got.txt"))
        .requireSuccess();

    assertThat(tmp.resolve("got.txt")).hasContent("same tree for everyone");
  }

  @Test
  void onlyPublicKeyAuthenticationIsOffered() throws Exception {
    OpenSsh.Run run =
        fixture.ssh(
            List.of("-v", "-o", "PreferredAuthentications=password,keyboard-interactive"),
            "true");

    assertThat(run.exitCode()).as(run.toString()).isNotZero();
    // The server's list, exactly: no "password", no "keyboard-interactive".
    assertThat(run.stderr().lines())
        .contains("debug1: Authentications that can continue: publickey");
    assertThat(run.stderr()).contains("Permission denied (publickey)");
  }

  @Test
  void execOfAnythingButScpFails() throws Exception {
    OpenSsh.Run echo = fixture.ssh(List.of(), "echo hi");
    OpenSsh.Run lookalike = fixture.ssh(List.of(), "scpx -t /");

    assertThat(echo.exitCode()).as(echo.toString()).isEqualTo(RefusedCommand.EXIT_STATUS);
    assertThat(echo.stdout()).doesNotContain("hi");
    assertThat(echo.stderr()).contains("only SFTP and scp are available");
    assertThat(lookalike.exitCode()).as(lookalike.toString()).isEqualTo(127);
  }

  @Test
  void noShellAndNoOtherSubsystem() throws Exception {
    OpenSsh.Run shell = fixture.ssh(List.of("-T"));
    OpenSsh.Run subsystem = fixture.ssh(List.of("-s"), "netconf");

    assertThat(shell.exitCode()).as(shell.toString()).isNotZero();
    assertThat(subsystem.exitCode()).as(subsystem.toString()).isNotZero();
  }

  @Test
  void remotePortForwardingIsRefused() throws Exception {
    OpenSsh.Run run =
        fixture.ssh(
            List.of("-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9"));

    assertThat(run.exitCode()).as(run.toString()).isNotZero();
    assertThat(run.stderr()).contains("forwarding failed");
  }

  @Test
  void localPortForwardingReachesNothing() throws Exception {
    try (ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int localPort = freePort();
      List<String> command =
          fixture.sshCommand(
              "-N",
              "-o", "ExitOnForwardFailure=yes",
              "-L", localPort + ":127.0.0.1:" + target.getLocalPort());
      command.add(ReceiverFixture.USER + "@127.0.0.1");
      Process ssh =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("ssh-L.log").toFile())
              .start();
      try {
        await()
            .atMost(Duration.ofSeconds(20))
            .ignoreExceptions()
            .until(() -> readThroughTunnel(localPort) == -1);

        target.setSoTimeout(500);
        boolean reached;
        try {
          target.accept().close();
          reached = true;
        } catch (SocketTimeoutException expected) {
          reached = false;
        }
        assertThat(reached).as("a tunnelled connection reached the target").isFalse();
        assertThat(tmp.resolve("ssh-L.log")).content().contains("open failed");
      } finally {
        ssh.destroy();
        if (!ssh.waitFor(10, TimeUnit.SECONDS)) {
          ssh.destroyForcibly();
        }
      }
    }
  }



  /** Connects through the tunnel; returns the first byte read, -1 when ssh closes it empty. */
  private static int readThroughTunnel(int localPort) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", localPort), 2000);
      socket.setSoTimeout(5000);
      InputStream in = socket.getInputStream();
      return in.read();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
