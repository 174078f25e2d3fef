package dev.scpsync.transport.scp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * A malicious {@code scp -f}: for each requested path it answers with whatever the behaviour named
 * by the path's last element prescribes — traversal names, absolute paths, directories, extra
 * files, wrong sizes. Requests are taken from the quoted command line the client sends.
 */
final class HostileScpSource implements Command {
  /** What to send, by requested name. The good ones behave. */
  static final Map<String, String> RECORDS =
      Map.ofEntries(
          Map.entry("dotdot", "C0644 3 ../escaped-dotdot"),
          Map.entry("absolute", "C0644 3 ABSOLUTE"),
          Map.entry("dot", "C0644 3 ."),
          Map.entry("dotdot-only", "C0644 3 .."),
          Map.entry("empty", "C0644 3 "),
          Map.entry("slash", "C0644 3 sub/slash"),
          Map.entry("renamed", "C0644 3 escaped-renamed"),
          Map.entry("directory", "D0755 0 directory"),
          Map.entry("bigger", "C0644 10 bigger"));

  private final List<String> requested;
  private final String absoluteVictim;
  private InputStream in;
  private OutputStream out;
  private ExitCallback exit;

  HostileScpSource(String command, String absoluteVictim) {
    this.requested = requestedPaths(command);
    this.absoluteVictim = absoluteVictim;
  }

  /** The single-quoted words after "--", unquoted the way sh would. */
  static List<String> requestedPaths(String command) {
    List<String> words = new ArrayList<>();
    String rest = command.substring(command.indexOf(" -- ") + 4);
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean inWord = false;
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
        inWord = true;
      } else if (c == '\\' && !quoted) {
        word.append(rest.charAt(++i));
      } else if (c == ' ' && !quoted) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  @Override
  public void start(ChannelSession channel, Environment env) {
    Thread.ofVirtual()
        .name("hostile-scp-source")
        .start(
            () -> {
              try {
                if (in.read() == 0) {
                  for (String path : requested) {
                    serve(path.substring(path.lastIndexOf('/') + 1));
                  }
                }
              } catch (IOException clientHungUp) {
                // the client gave up on this channel, as it should
              } finally {
                exit.onExit(0);
              }
            });
  }

  private void serve(String name) throws IOException {
    switch (name) {
      case "hang" -> {
        while (in.read() >= 0) {
          // say nothing until the client times out and closes the channel
        }
        throw new IOException("closed");
      }
      case "error" -> send("\1scp: " + name + ": Permission denied\n");
      case "fatal" -> {
        send("\2scp: fatal: something broke\n");
        throw new IOException("ended");
      }
      case "longer" -> file("C0644 3 longer", "abcEXTRA-BYTES-BEYOND-THE-SIZE");
      case "extra" -> {
        file("C0644 3 extra", "abc");
        file("C0644 3 escaped-unrequested", "xyz");
      }
      default -> {
        String record =
            RECORDS.getOrDefault(name, "C0644 3 " + name).replace("ABSOLUTE", absoluteVictim);
        file(record, "abcdefghij".substring(0, record.startsWith("C0644 10") ? 10 : 3));
      }
    }
  }

  private void file(String record, String data) throws IOException {
    send("T1700000000 0 1700000000 0\n");
    if (!ack()) {
      return;
    }
    send(record + "\n");
    if (!ack()) {
      return;
    }
    send(data + "\0");
    ack();
  }

  private void send(String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private boolean ack() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new IOException("client closed");
    }
    if (b != 0) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      while ((b = in.read()) >= 0 && b != '\n') {
        line.write(b);
      }
    }
    return b == 0;
  }

  @Override
  public void destroy(ChannelSession channel) {}

  @Override
  public void setInputStream(InputStream in) {
    this.in = in;
  }

  @Override
  public void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void setErrorStream(OutputStream err) {}

  @Override
  public void setExitCallback(ExitCallback callback) {
    this.exit = callback;
  }
}
