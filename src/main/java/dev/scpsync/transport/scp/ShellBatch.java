package dev.scpsync.transport.scp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.session.ClientSession;

/**
 * Many small shell commands run as one script by one {@code sh -s} on the server, each reporting
 * its own outcome. One exec channel and one round trip for a whole batch of renames, chmods or
 * deletes instead of one per path.
 *
 * <p>The script goes over stdin, so the only command line the login shell sees is {@code sh -s}
 * and the size of a batch is not bound by the server's command-line limits. Each command's
 * stderr is merged into stdout, in order, ahead of a marker line {@code NONCE ok|no INDEX}; the
 * nonce is random per batch so that no file name echoed in an error message can forge a marker.
 */
final class ShellBatch {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_LINE = 8192;

  private final StringBuilder script = new StringBuilder();
  private final String nonce;
  private int count;

  /** Starts a script; {@code functions} defines the shell functions its commands call. */
  ShellBatch(String functions) {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    nonce = "scpsync-" + HexFormat.of().formatHex(bytes);
    script.append("exec 2>&1\n")
        .append("ok() { printf '%s ok %s\\n' ").append(nonce).append(" \"$1\"; }\n")
        .append("no() { printf '%s no %s\\n' ").append(nonce).append(" \"$1\"; }\n")
        .append(functions).append('\n');
  }

  /**
   * Adds one command (its words already quoted) and returns its index. Its stdin is /dev/null so
   * that nothing it runs can eat the rest of the script.
   */
  int add(String command) {
    int id = count++;
    script.append(command).append(" </dev/null && ok ").append(id).append(" || no ").append(id).append('\n');
    return id;
  }

  int size() {
    return count;
  }

  /**
   * Runs the script. Returns, by index, {@code null} for a command that succeeded, else its error
   * output (or why it did not run).
   *
   * @throws IOException when the script could not run at all (session lost, no shell)
   */
  List<String> run(ClientSession session, Duration idle) throws IOException {
    String[] results = new String[count];
    boolean[] seen = new boolean[count];
    try (RemoteProcess sh = RemoteProcess.start(session, "sh -s", idle)) {
      AtomicReference<IOException> writeFailure = new AtomicReference<>();
      byte[] bytes = script.toString().getBytes(StandardCharsets.UTF_8);
      // Written from another thread: output is read meanwhile, so neither side can stall the other.
      Thread writer = Thread.ofVirtual().name("scp-batch-writer").start(() -> {
        try {
          sh.stdin().write(bytes);
          sh.closeStdin();
        } catch (IOException e) {
          writeFailure.set(e);
        }
      });
      List<String> pending = new ArrayList<>();
      byte[] line;
      while ((line = readLine(sh.stdout())) != null) {
        String text = new String(line, StandardCharsets.UTF_8);
        if (text.startsWith(nonce + " ")) {
          String[] parts = text.split(" ");
          int id = Integer.parseInt(parts[2]);
          seen[id] = true;
          results[id] = parts[1].equals("ok") ? null
              : pending.isEmpty() ? "failed without a message" : String.join("; ", pending);
          pending.clear();
        } else if (!text.isBlank()) {
          pending.add(ServerText.clean(text));
        }
      }
      join(writer);
      int exit = sh.exitStatus();
      String why = "not run: the remote shell stopped early (exit status " + exit + ")"
          + (pending.isEmpty() ? "" : ": " + String.join("; ", pending))
          + (writeFailure.get() == null ? "" : ": " + writeFailure.get().getMessage());
      for (int i = 0; i < count; i++) {
        if (!seen[i]) {
          results[i] = why;
        }
      }
      if (!sh.sessionAlive()) {
        throw new IOException("SSH session lost while running a batch of remote commands");
      }
    }
    return Arrays.asList(results);
  }

  /** The script as it would be sent (for tests and debugging). */
  String script() {
    return script.toString();
  }

  /** A line without its '\n', capped at MAX_LINE bytes; null at end of stream. */
  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (line.size() < MAX_LINE) {
        line.write(b);
      }
    }
    return b < 0 && line.size() == 0 ? null : line.toByteArray();
  }

  private static void join(Thread writer) throws InterruptedIOException {
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while sending a remote script");
    }
  }
}
