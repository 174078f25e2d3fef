package dev.scpsync.transport.ssh;

import static org.awaitility.Awaitility.await;

import dev.scpsync.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code ssh-agent -D} listening on {@code <dir>/agent.sock}, loaded with {@code ssh-add};
 * nothing here touches the developer's own agent. Closing it kills the process by its handle.
 */
final class AgentProcess implements AutoCloseable {
  private final Process process;
  private final Path socket;
  private final Path log;

  private AgentProcess(Process process, Path socket, Path log) {
    this.process = process;
    this.socket = socket;
    this.log = log;
  }

  static AgentProcess start(Path dir) throws IOException {
    Path agent = RequiredTools.require("ssh-agent", "/usr/bin/ssh-agent");
    RequiredTools.require("ssh-add", "/usr/bin/ssh-add");
    Files.createDirectories(dir);
    Path socket = dir.resolve("agent.sock");
    Path log = dir.resolve("agent.log");
    ProcessBuilder builder = new ProcessBuilder(agent.toString(), "-D", "-a", socket.toString());
    builder.environment().remove("SSH_AUTH_SOCK");
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    AgentProcess started = new AgentProcess(builder.start(), socket, log);
    await("ssh-agent socket " + socket)
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(socket) || !started.process.isAlive());
    if (!started.process.isAlive()) {
      throw new IllegalStateException("ssh-agent exited: " + Files.readString(log));
    }
    return started;
  }

  /** Loads a private key into the agent with {@code ssh-add}. */
  void add(Path privateKey) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("/usr/bin/ssh-add", privateKey.toString());
    builder.environment().put("SSH_AUTH_SOCK", socket.toString());
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.redirectErrorStream(true);
    Process add = builder.start();
    String output = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!add.waitFor(30, TimeUnit.SECONDS) || add.exitValue() != 0) {
      add.destroyForcibly();
      throw new IllegalStateException("ssh-add " + privateKey + " failed: " + output);
    }
  }

  /** The agent's Unix socket. */
  Path socket() {
    return socket;
  }

  /** An environment in which this agent is the user's agent. */
  Map<String, String> environment() {
    return Map.of("SSH_AUTH_SOCK", socket.toString());
  }

  @Override
  public void close() {
    ProcessHandle handle = process.toHandle();
    handle.destroy();
    try {
      handle.onExit().get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      handle.destroyForcibly();
    } catch (Exception e) {
      handle.destroyForcibly();
    }
  }
}
