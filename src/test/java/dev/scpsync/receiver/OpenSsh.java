package dev.scpsync.receiver;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the OpenSSH client programs installed on this machine, each with a deadline so a hang fails
 * the test instead of blocking the build.
 */
final class OpenSsh {
  static final Path SSH = Path.of("/usr/bin/ssh");
  static final Path SCP = Path.of("/usr/bin/scp");
  static final Path SFTP = Path.of("/usr/bin/sftp");
  static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");
  static final Path SSH_KEYSCAN = Path.of("/usr/bin/ssh-keyscan");

  private static final long TIMEOUT_SECONDS = 60;

  /** The outcome of one client run. */
  record Run(List<String> command, int exitCode, String stdout, String stderr) {
    Run requireSuccess() {
      if (exitCode != 0) {
        fail("%s exited %d%nstdout: %s%nstderr: %s", command, exitCode, stdout, stderr);
      }
      return this;
    }

    @Override
    public String toString() {
      return command + " -> " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  private OpenSsh() {}

  /**
   * Skips the calling test when the clients are missing, except under CI, where a missing client
   * means the machine is set up wrong and must fail loudly rather than pass by skipping.
   */
  static void requireClients() {
    List<Path> missing = new ArrayList<>();
    for (Path tool : List.of(SSH, SCP, SFTP, SSH_KEYGEN, SSH_KEYSCAN)) {
      if (!Files.isExecutable(tool)) {
        missing.add(tool);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String reason = "OpenSSH clients not installed: " + missing;
    if ("true".equals(System.getenv("CI"))) {
      fail(reason + " (CI=true: the tests must run there)");
    }
    Assumptions.abort(reason + "; skipping the receiver interop tests");
  }

  /** Runs {@code command} with stdin from /dev/null, to completion or its deadline. */
  static Run run(Path workDir, List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "out", ".txt");
    Path err = Files.createTempFile(workDir, "err", ".txt");
    Process process =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      fail("%s did not finish within %d s%nstderr: %s", command, TIMEOUT_SECONDS, read(err));
    }
    Run run = new Run(List.copyOf(command), process.exitValue(), read(out), read(err));
    Files.delete(out);
    Files.delete(err);
    return run;
  }

  /** Creates an unencrypted ed25519 key pair at {@code privateKey} and {@code privateKey.pub}. */
  static void generateUserKey(Path privateKey) throws IOException, InterruptedException {
    run(
            privateKey.getParent(),
            List.of(SSH_KEYGEN.toString(), "-q", "-t", "ed25519", "-N", "", "-C", "test",
                "-f", privateKey.toString()))
        .requireSuccess();
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
