package dev.scpsync.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A real OpenSSH {@code sshd} on a random loopback port, with generated host and user keys and a
 * config of its own in a temp directory. Either with the SFTP subsystem, or SCP-only (no
 * Subsystem line, the way many appliances and dropbear setups look). Started per test class and
 * stopped by process id. {@link #withSftp(Path, String, List)} starts one elsewhere, e.g. inside a
 * network namespace.
 */
public final class OpenSshServer implements AutoCloseable {
  private final Path dir;
  private final boolean sftp;
  private final boolean tcpForwarding;
  private final Path sshd;
  /** The address sshd listens on, the client connects to and known_hosts names. */
  private final String listenAddress;
  /** What runs sshd ({@code ip netns exec NS}); it must exec sshd, so the process stays sshd's. */
  private final List<String> commandPrefix;
  /** Options of the SFTP server on its Subsystem line (e.g. {@code -P copy-data}), or "". */
  private String sftpOptions = "";
  private Process process;
  private int port;
  /** Channels of one connection sshd serves at once (its MaxSessions). */
  private int maxSessions = 64;

  private OpenSshServer(Path dir, boolean sftp, boolean tcpForwarding, String listenAddress, List<String> commandPrefix) {
    this.dir = dir;
    this.listenAddress = listenAddress;
    this.commandPrefix = List.copyOf(commandPrefix);
    this.sftp = sftp;
    this.tcpForwarding = tcpForwarding;
    this.sshd = RequiredTools.require("OpenSSH server", "/usr/sbin/sshd");
    RequiredTools.require("ssh-keygen", "/usr/bin/ssh-keygen");
  }

  /** Starts a server with the SFTP subsystem. */
  public static OpenSshServer withSftp(Path dir) throws IOException, InterruptedException {
    return start(dir, true);
  }

  /**
   * Starts a server whose SFTP server refuses some requests ({@code sftp-server -P}), like a
   * server from before they existed; it still lists them among its extensions, as OpenSSH does.
   */
  public static OpenSshServer withSftpRefusing(Path dir, String requests) throws IOException, InterruptedException {
    return withSftpOptions(dir, " -P " + requests);
  }

  /**
   * Starts a server whose SFTP server starts in {@code start} ({@code sftp-server -d}), as an
   * SFTP-only account may: relative paths over SFTP are then not relative to a shell's home.
   */
  public static OpenSshServer withSftpStartingIn(Path dir, Path start) throws IOException, InterruptedException {
    return withSftpOptions(dir, " -d " + start);
  }

  private static OpenSshServer withSftpOptions(Path dir, String options) throws IOException, InterruptedException {
    OpenSshServer server = new OpenSshServer(dir, true, false, "127.0.0.1", List.of());
    server.sftpOptions = options;
    server.generateKeys();
    server.launch();
    return server;
  }

  /** Starts a server with no SFTP subsystem: only exec channels (and so legacy SCP) work. */
  public static OpenSshServer scpOnly(Path dir) throws IOException, InterruptedException {
    return start(dir, false);
  }

  /** Starts a server with the SFTP subsystem that also forwards TCP: a jump host for ProxyJump. */
  public static OpenSshServer withTcpForwarding(Path dir) throws IOException, InterruptedException {
    return start(dir, true, true);
  }

  /**
   * Starts a server with the SFTP subsystem on {@code listenAddress}, run through {@code
   * commandPrefix}: with {@code ip netns exec NS}, a server inside a network namespace, reached at
   * that namespace's address.
   */
  public static OpenSshServer withSftp(Path dir, String listenAddress, List<String> commandPrefix)
      throws IOException, InterruptedException {
    return start(dir, true, false, listenAddress, commandPrefix);
  }

  private static OpenSshServer start(Path dir, boolean sftp) throws IOException, InterruptedException {
    return start(dir, sftp, false);
  }

  private static OpenSshServer start(Path dir, boolean sftp, boolean tcpForwarding) throws IOException, InterruptedException {
    return start(dir, sftp, tcpForwarding, "127.0.0.1", List.of());
  }

  private static OpenSshServer start(Path dir, boolean sftp, boolean tcpForwarding, String listenAddress,
      List<String> commandPrefix) throws IOException, InterruptedException {
    OpenSshServer server = new OpenSshServer(dir, sftp, tcpForwarding, listenAddress, commandPrefix);
    server.generateKeys();
    server.launch();
    return server;
  }

  private void generateKeys() throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Processes.runOk(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey().toString()));
    Processes.runOk(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "scpsync-test", "-f", userKey().toString()));
    Files.copy(dir.resolve("user_ed25519.pub"), dir.resolve("authorized_keys"));
  }

  private void launch() throws IOException, InterruptedException {
    // sshd wants its privilege separation directory even when it never drops privileges.
    Files.createDirectories(Path.of("/run/sshd"));
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      port = freePort();
      writeConfig();
      ProcessBuilder pb = new ProcessBuilder(command());
      pb.redirectErrorStream(true);
      pb.redirectOutput(dir.resolve("sshd.log").toFile());
      process = pb.start();
      if (awaitListening(Duration.ofSeconds(10))) {
        if (!commandPrefix.isEmpty()) {
          requireSshdItself();
        }
        writeKnownHosts();
        return;
      }
      process.destroyForcibly();
      last = new IOException("sshd did not start on port " + port + ": " + Files.readString(dir.resolve("sshd.log")));
    }
    throw last;
  }

  /**
   * Stopping goes by process id: a command prefix that forked instead of exec'ing sshd would leave
   * sshd running when its parent is killed.
   */
  private void requireSshdItself() {
    String command = process.info().command().orElse("");
    if (!command.endsWith("/sshd")) {
      stop();
      throw new IllegalStateException(String.join(" ", commandPrefix) + " runs sshd as a child (process " + process.pid()
          + " is " + command + "), so it cannot be stopped by its id");
    }
  }

  private void writeConfig() throws IOException {
    List<String> lines = new ArrayList<>(List.of(
        "Port " + port,
        "ListenAddress " + listenAddress,
        "HostKey " + hostKey(),
        "PidFile " + dir.resolve("sshd.pid"),
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "PermitRootLogin yes",
        "AllowTcpForwarding " + (tcpForwarding ? "local" : "no"),
        "X11Forwarding no",
        "MaxSessions " + maxSessions,
        "MaxStartups 64",
        // Every channel's command runs through the user's login shell, and bash run by sshd reads
        // ~/.bashrc unless it believes it is nested. The tests run as whatever user the machine has,
        // whose rc files are none of their business: on the CI image root's loads pyenv, whose
        // rehash, when a test cuts a connection while a shell is in it, leaves a lock behind that
        // stalls every later login for 60 s. SHLVL=1 makes bash skip ~/.bashrc.
        "SetEnv SHLVL=1",
        "LogLevel ERROR"));
    if (sftp) {
      String server = Files.isExecutable(Path.of("/usr/lib/openssh/sftp-server"))
          ? "/usr/lib/openssh/sftp-server" : "internal-sftp";
      lines.add("Subsystem sftp " + server + sftpOptions);
    }
    Files.write(dir.resolve("sshd_config"), lines, StandardCharsets.UTF_8);
  }

  private void writeKnownHosts() throws IOException {
    String hostPub = Files.readString(dir.resolve("host_ed25519.pub")).trim();
    String[] parts = hostPub.split(" ");
    Files.writeString(knownHosts(), "[" + listenAddress + "]:" + port + " " + parts[0] + " " + parts[1] + "\n");
  }

  private boolean awaitListening(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        return false;
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(listenAddress, port), 200);
        return true;
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    return false;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String host() {
    return listenAddress;
  }

  /** The process id of sshd itself (a command prefix execs it), for tests that look at its sessions. */
  public long pid() {
    return process.pid();
  }

  public boolean hasSftp() {
    return sftp;
  }

  /** The user key's private half (no passphrase). */
  public Path userKey() {
    return dir.resolve("user_ed25519");
  }

  /** A known_hosts file that holds exactly this server's host key. */
  public Path knownHosts() {
    return dir.resolve("known_hosts");
  }

  public Path hostKey() {
    return dir.resolve("host_ed25519");
  }

  public Path hostPublicKey() {
    return dir.resolve("host_ed25519.pub");
  }

  public String user() {
    return System.getProperty("user.name");
  }

  /** An scp-style target for a remote path on this server: {@code user@HOST:PORT:/path}. */
  public String target(Path remotePath) {
    return user() + "@" + listenAddress + ":" + port + ":" + remotePath;
  }

  private List<String> command() {
    List<String> command = new ArrayList<>(commandPrefix);
    command.addAll(List.of(sshd.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString()));
    return command;
  }

  /** Stops the server and every session child it forked. */
  public void stop() {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroy();
      try {
        if (!process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(5), java.util.concurrent.TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  /**
   * Restarts the server with another MaxSessions: how many session channels one connection may
   * hold at once (OpenSSH's default is 10; the fixture allows 64).
   */
  public void restartWithMaxSessions(int limit) throws IOException, InterruptedException {
    maxSessions = limit;
    writeConfig();
    restart();
  }

  /** Starts the server again on the same port with the same keys. */
  public void restart() throws IOException, InterruptedException {
    stop();
    ProcessBuilder pb = new ProcessBuilder(command());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sshd.log").toFile()));
    process = pb.start();
    if (!awaitListening(Duration.ofSeconds(10))) {
      throw new IOException("sshd did not restart on port " + port);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
