package dev.scpsync.transport.scp;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.session.ClientSession;

/**
 * Many small shell commands run by one {@code sh -s} on the server, each reporting its own outcome:
 * one exec channel for a whole batch of renames, chmods or deletes instead of one per path.
 *
 * <p>Commands go over stdin, in 32 KiB pieces as they are added, so the only command line the login
 * shell sees is {@code sh -s}, a batch is not bound by command-line limits, and the server works on
 * the first commands while later ones are still being sent. Each command's stderr is merged into
 * stdout, in order, ahead of a marker line {@code NONCE ok|no INDEX}; the nonce is random per batch
 * so that no file name echoed in an error message can forge a marker. A virtual thread reads the
 * output as it comes, so neither side can stall the other.
 *
 * <p>Not thread-safe: one thread adds and collects.
 */
final class ShellBatch implements Closeable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_LINE = 8192;

  /** The outcome of one command: {@code error} is null when it succeeded. */
  record Outcome(int id, String error) {}

  private final RemoteProcess sh;
  // Commands are small: batch them into full SSH packets rather than one packet each.
  private final OutputStream script;
  private final String nonce;
  private final Thread reader;
  private final ConcurrentHashMap<Integer, Outcome> outcomes = new ConcurrentHashMap<>();
  private final AtomicReference<IOException> readFailure = new AtomicReference<>();
  private final List<String> trailing = new ArrayList<>();
  private int count;

  private ShellBatch(RemoteProcess sh, String nonce) {
    this.sh = sh;
    this.script = new BufferedOutputStream(sh.stdin(), 32 * 1024);
    this.nonce = nonce;
    this.reader = Thread.ofVirtual().name("scp-batch-reader").start(this::readOutcomes);
  }

  /**
   * Starts {@code sh -s} with the helper functions the commands will call.
   *
   * @throws IOException when no shell can be started (session lost)
   */
  static ShellBatch start(ClientSession session, String functions, Duration idle)
      throws IOException {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    String nonce = "scpsync-" + HexFormat.of().formatHex(bytes);
    RemoteProcess sh = RemoteProcess.start(session, "sh -s", idle);
    ShellBatch batch = new ShellBatch(sh, nonce);
    batch.send(
        "exec 2>&1\n"
            + "ok() { printf '%s ok %s\\n' "
            + nonce
            + " \"$1\"; }\n"
            + "no() { printf '%s no %s\\n' "
            + nonce
            + " \"$1\"; }\n"
            + functions
            + "\n");
    return batch;
  }

  /**
   * Sends one command (its words already quoted) and returns its index. Its stdin is /dev/null so
   * that nothing it runs can eat the rest of the script.
   */
  int add(String command) throws IOException {
    int id = count++;
    send(command + " </dev/null && ok " + id + " || no " + id + "\n");
    return id;
  }

  private void send(String text) throws IOException {
    script.write(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Ends the script and waits for it. Returns, by index, {@code null} for a command that succeeded,
   * else its error output (or why it did not run).
   *
   * @throws IOException when the session was lost
   */
  List<String> finish() throws IOException {
    try {
      script.flush();
      sh.closeStdin();
    } catch (IOException e) {
      readFailure.compareAndSet(null, e);
    }
    try {
      reader.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a remote script");
    }
    if (!sh.sessionAlive()) {
      throw new IOException("SSH session lost while running remote commands", readFailure.get());
    }
    String why = whyUnfinished();
    List<String> results = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Outcome o = outcomes.get(i);
      results.add(o != null ? o.error() : why);
    }
    return results;
  }

  private String whyUnfinished() {
    String exit;
    try {
      exit = String.valueOf(sh.exitStatus());
    } catch (IOException e) {
      exit = "unknown: " + e.getMessage();
    }
    IOException failure = readFailure.get();
    return "not run: the remote shell stopped early (exit status "
        + exit
        + ")"
        + (trailing.isEmpty() ? "" : ": " + String.join("; ", trailing))
        + (failure == null ? "" : ": " + failure.getMessage());
  }

  private void readOutcomes() {
    List<String> pending = new ArrayList<>();
    try {
      byte[] line;
      while ((line = readLine(sh.stdout())) != null) {
        String text = new String(line, StandardCharsets.UTF_8);
        if (text.startsWith(nonce + " ")) {
          String[] parts = text.split(" ");
          int id = Integer.parseInt(parts[2]);
          String error =
              parts[1].equals("ok")
                  ? null
                  : pending.isEmpty() ? "failed without a message" : String.join("; ", pending);
          Outcome outcome = new Outcome(id, error);
          outcomes.put(id, outcome);
          pending.clear();
        } else if (!text.isBlank()) {
          pending.add(ServerText.clean(text));
        }
      }
    } catch (IOException e) {
      readFailure.set(e);
    }
    // Read by finish() after join(), which orders it after this write.
    trailing.addAll(pending);
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

  @Override
  public void close() {
    sh.close();
  }
}
