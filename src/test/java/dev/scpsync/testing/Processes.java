package dev.scpsync.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short-lived external commands from tests, with a deadline. */
public final class Processes {
  private Processes() {}

  /** The outcome of a finished command. */
  public record Result(int exitCode, String stdout, String stderr) {
    public Result requireSuccess(List<String> command) {
      if (exitCode != 0) {
        throw new AssertionError(
            "command failed (" + exitCode + "): " + String.join(" ", command) + "\n" + stderr + stdout);
      }
      return this;
    }
  }

  public static Result run(List<String> command) throws IOException, InterruptedException {
    return run(command, null, 120);
  }

  public static Result run(List<String> command, Path workDir, int timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    pb.environment().remove("SSH_AUTH_SOCK");
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    var out = p.getInputStream();
    var err = p.getErrorStream();
    var stdout = new java.util.concurrent.CompletableFuture<String>();
    var stderr = new java.util.concurrent.CompletableFuture<String>();
    Thread.ofVirtual().start(() -> drain(out, stdout));
    Thread.ofVirtual().start(() -> drain(err, stderr));
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("timed out after " + timeoutSeconds + "s: " + String.join(" ", command));
    }
    return new Result(p.exitValue(), stdout.join(), stderr.join());
  }

  public static Result runOk(List<String> command) throws IOException, InterruptedException {
    return run(command).requireSuccess(command);
  }

  private static void drain(java.io.InputStream in, java.util.concurrent.CompletableFuture<String> sink) {
    try (in) {
      sink.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      sink.complete("");
    }
  }
}
