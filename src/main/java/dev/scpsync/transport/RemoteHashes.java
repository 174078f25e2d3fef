package dev.scpsync.transport;

import dev.scpsync.transport.scp.ShellQuoting;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

/**
 * SHA-256 of remote files computed by the server itself ({@code sha256sum -z}, GNU coreutils),
 * over exec channels of an existing session, many paths per command. For {@code --checksum}.
 *
 * <p>Servers that cannot run commands (the embedded receiver, SFTP-only accounts) or lack
 * {@code sha256sum} give {@link Optional#empty()}: the caller then says that content was compared
 * by size and mtime only, rather than pretending.
 */
public final class RemoteHashes {
  private static final int COMMAND_LIMIT = 60 * 1024;
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private RemoteHashes() {}

  /**
   * Hashes remote files.
   *
   * @param remotePath maps a tree path to the path the server understands
   * @return hashes by tree path (files that could not be read are absent), or empty when the
   *     server cannot compute them
   */
  public static Optional<Map<String, String>> sha256(ClientSession session, List<String> paths, UnaryOperator<String> remotePath)
      throws IOException {
    Map<String, String> hashes = new HashMap<>();
    if (paths.isEmpty()) {
      return Optional.of(hashes);
    }
    List<String> batch = new ArrayList<>();
    int length = 0;
    for (String p : paths) {
      String arg = ShellQuoting.quote(remotePath.apply(p));
      if (!batch.isEmpty() && length + arg.length() > COMMAND_LIMIT) {
        if (!run(session, batch, remotePath, hashes)) {
          return Optional.empty();
        }
        batch.clear();
        length = 0;
      }
      batch.add(p);
      length += arg.length() + 1;
    }
    return run(session, batch, remotePath, hashes) ? Optional.of(hashes) : Optional.empty();
  }

  /**
   * SHA-256 of one remote file, or of its first {@code prefixBytes} bytes, computed by the server
   * with {@code sha256sum} or {@code shasum -a 256} reading stdin (so no name is echoed back). For
   * checking a large upload end to end, and the part of one before it is resumed.
   *
   * @param remotePath the path as the server understands it
   * @param prefixBytes how many leading bytes to hash, or -1 for the whole file
   * @return the hex digest, or empty when the server cannot run commands or has no hashing tool
   * @throws IOException when the session is lost, or the file cannot be read
   */
  public static Optional<String> sha256Of(ClientSession session, String remotePath, long prefixBytes) throws IOException {
    String file = ShellQuoting.quote(remotePath);
    String source = prefixBytes < 0 ? "h < " + file : "head -c " + prefixBytes + " < " + file + " | h";
    String command = HASH_STDIN + "[ -r " + file + " ] || { echo unreadable >&2; exit 2; }; " + source;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Integer status;
    try (ChannelExec exec = session.createExecChannel(command)) {
      exec.setOut(out);
      exec.setErr(err);
      exec.open().verify(TIMEOUT);
      exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TIMEOUT);
      status = exec.getExitStatus();
    } catch (IOException e) {
      if (!session.isOpen()) {
        throw e;
      }
      return Optional.empty(); // the server refused the exec request (e.g. an SFTP-only server)
    }
    if (status == null || status == 127) {
      return Optional.empty();
    }
    String hex = status == 0 ? digestIn(out.toString(StandardCharsets.UTF_8)) : null;
    if (hex == null) {
      throw new IOException("cannot hash " + remotePath + " on the server (exit " + status + "): "
          + err.toString(StandardCharsets.UTF_8).strip());
    }
    return Optional.of(hex);
  }

  /**
   * A shell function {@code h} that writes the SHA-256 of its stdin, or exits 127 when the server
   * has no tool for it. OpenSSL comes first: it uses the CPU's SHA instructions, where coreutils'
   * sha256sum (9.1, on this kind of machine) needs about four times as long for the same file.
   */
  public static final String HASH_STDIN = "h() { if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r; "
      + "elif command -v sha256sum >/dev/null 2>&1; then sha256sum; "
      + "elif command -v shasum >/dev/null 2>&1; then shasum -a 256; else exit 127; fi; }; ";

  private static final java.util.regex.Pattern HEX_DIGEST = java.util.regex.Pattern.compile("(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])");

  /** The first SHA-256 hex digest in a hashing tool's output, lower case; null if there is none. */
  public static String digestIn(String output) {
    var m = HEX_DIGEST.matcher(output);
    return m.find() ? m.group().toLowerCase(java.util.Locale.ROOT) : null;
  }

  private static boolean run(ClientSession session, List<String> batch, UnaryOperator<String> remotePath, Map<String, String> hashes)
      throws IOException {
    Map<String, String> byRemoteName = new HashMap<>();
    StringBuilder command = new StringBuilder("command -v sha256sum >/dev/null 2>&1 || exit 127; sha256sum -z --");
    for (String p : batch) {
      String remote = remotePath.apply(p);
      byRemoteName.put(remote, p);
      command.append(' ').append(ShellQuoting.quote(remote));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (ChannelExec exec = session.createExecChannel(command.toString())) {
      exec.setOut(out);
      exec.setErr(err);
      exec.open().verify(TIMEOUT);
      exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TIMEOUT);
      Integer status = exec.getExitStatus();
      if (status == null || status == 127) {
        return false; // no exec, no shell, or no sha256sum
      }
    } catch (IOException e) {
      if (!session.isOpen()) {
        throw e;
      }
      return false; // the server refused the exec request (e.g. an SFTP-only server)
    }
    // Each record: 64 hex digits, two spaces (or space and '*'), the name, NUL.
    String text = out.toString(StandardCharsets.UTF_8);
    for (String record : text.split("\0")) {
      if (record.length() < 66) {
        continue;
      }
      String hex = record.substring(0, 64);
      String name = record.substring(66);
      String tree = byRemoteName.get(name);
      if (tree != null && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        hashes.put(tree, hex);
      }
    }
    return true;
  }
}
