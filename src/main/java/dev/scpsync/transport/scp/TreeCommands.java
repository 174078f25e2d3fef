package dev.scpsync.transport.scp;

import static dev.scpsync.transport.scp.ShellQuoting.quote;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.sshd.client.session.ClientSession;

/**
 * Directory creation, attributes and deletion on an SCP-only server, where the only tools are POSIX
 * commands over exec. Each call is one {@link ShellBatch}: one channel and one round trip for the
 * whole list, with a {@link Problem} per path that failed.
 *
 * <p>Attributes use {@code touch -d @SECONDS.NANOS}, a GNU coreutils extension (recent busybox
 * reads it too); elsewhere setting an mtime fails per path with touch's message.
 */
final class TreeCommands {
  private static final String MAKE_ROOT =
      """
      mkroot() {
        if [ -d "$1" ]; then return 0; fi
        if [ -e "$1" ] || [ -L "$1" ]; then echo "$1 exists and is not a directory"; return 1; fi
        mkdir -p -- "$1"
      }
      """;

  /** An existing directory is fine (it only gets its mode); a symlink in its place is not. */
  private static final String MAKE_DIRECTORY =
      """
      md() {
        if [ -d "$2" ] && [ ! -L "$2" ]; then chmod -- "$1" "$2"; else mkdir -m "$1" -- "$2"; fi
      }
      """;

  /** chmod and touch follow symlinks: refuse to reach through one that appeared meanwhile. */
  private static final String SET_ATTRIBUTES =
      """
      sa() {
        if [ -L "$3" ]; then echo "$3 is a symlink; not changed"; return 1; fi
        chmod -- "$1" "$3" && touch -c -m -d "@$2" -- "$3"
      }
      """;

  private final ClientSession session;
  private final RemotePaths paths;
  private final String description;
  private final Duration idle;

  TreeCommands(ClientSession session, RemotePaths paths, String description, Duration idle) {
    this.session = session;
    this.paths = paths;
    this.description = description;
    this.idle = idle;
  }

  void createRoot() throws IOException {
    String error;
    try (ShellBatch shell = ShellBatch.start(session, MAKE_ROOT, idle)) {
      shell.add("mkroot " + quote(paths.root()));
      error = shell.finish().get(0);
    } catch (IOException e) {
      throw SessionLost.check(session, description, e);
    }
    if (error != null) {
      throw new IOException("cannot create " + description + ": " + error);
    }
  }

  List<Problem> mkdirs(List<Entry> directories) throws IOException {
    return runPerEntry(
        directories,
        MAKE_DIRECTORY,
        "cannot create directory",
        e -> "md " + octal(e.mode()) + " " + quote(paths.of(e.path())));
  }

  List<Problem> setAttributes(List<Entry> entries) throws IOException {
    List<Entry> settable = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    for (Entry e : entries) {
      if (e.isSymlink()) {
        problems.add(new Problem(e.path(), "symlinks are not supported over SCP"));
      } else {
        settable.add(e);
      }
    }
    problems.addAll(
        runPerEntry(
            settable,
            SET_ATTRIBUTES,
            "cannot set mode/mtime",
            e -> {
              String mtime = FinalRenames.epochSeconds(e.mtime());
              return "sa " + octal(e.mode()) + " " + mtime + " " + quote(paths.of(e.path()));
            }));
    return problems;
  }

  /** Deletes files and whole directories; a path that is already gone is no problem. */
  List<Problem> delete(List<Entry> entries) throws IOException {
    return runPerEntry(entries, "", "cannot delete", e -> "rm -rf -- " + quote(paths.of(e.path())));
  }

  /** Renames paths with {@code mv}; targets do not exist (the planner makes sure). */
  List<Problem> rename(java.util.SequencedMap<String, String> fromTo) throws IOException {
    List<Entry> sources = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    for (var move : fromTo.entrySet()) {
      String unsafe = RemotePaths.unsafe(move.getValue());
      if (unsafe != null) {
        problems.add(new Problem(move.getValue(), unsafe));
      } else {
        sources.add(Entry.file(move.getKey(), 0, java.time.Instant.EPOCH, 0));
      }
    }
    problems.addAll(runPerEntry(sources, "", "cannot rename",
        e -> "mv -f -- " + quote(paths.of(e.path())) + " " + quote(paths.of(fromTo.get(e.path())))));
    return problems;
  }

  private List<Problem> runPerEntry(
      List<Entry> entries, String functions, String what, Function<Entry, String> command)
      throws IOException {
    List<Problem> problems = new ArrayList<>();
    List<Entry> batched = new ArrayList<>();
    for (Entry e : entries) {
      String unsafe = RemotePaths.unsafe(e.path());
      if (unsafe != null) {
        problems.add(new Problem(e.path(), unsafe));
      } else {
        batched.add(e);
      }
    }
    if (batched.isEmpty()) {
      return problems;
    }
    List<String> results;
    try (ShellBatch shell = ShellBatch.start(session, functions, idle)) {
      for (Entry e : batched) {
        shell.add(command.apply(e));
      }
      results = shell.finish();
    } catch (IOException e) {
      throw SessionLost.check(session, description, e);
    }
    for (int i = 0; i < batched.size(); i++) {
      if (results.get(i) != null) {
        problems.add(new Problem(batched.get(i).path(), what + ": " + results.get(i)));
      }
    }
    return problems;
  }

  static String octal(int mode) {
    return String.format("%04o", mode & 07777);
  }
}
