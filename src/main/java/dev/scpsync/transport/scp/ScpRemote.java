package dev.scpsync.transport.scp;

import static dev.scpsync.transport.scp.ShellQuoting.quote;

import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.Protocol;
import dev.scpsync.transport.Remote;
import dev.scpsync.transport.RemoteListing;
import dev.scpsync.transport.TempNames;
import dev.scpsync.transport.TransferListener;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote tree reached with the legacy SCP protocol and a few POSIX shell commands, for servers
 * that have no SFTP subsystem (OpenSSH without a Subsystem line, dropbear, appliances).
 *
 * <p>Per batch: uploads go through one {@code scp -t} channel ({@link ScpSink}) under temporary
 * names and are then chmod-ed and renamed into place by one script ({@link FinalRenames});
 * downloads come through {@code scp -f} channels of many files each ({@link ScpSource}); mkdirs,
 * setAttributes and delete are one script each ({@link ShellBatch}); the listing is one
 * {@code find} ({@link FindListing}). Every remote path is single-quoted for the shell.
 *
 * <p>Server requirements: a POSIX login shell ({@code sh -c}), {@code scp}, {@code find},
 * {@code mv}, {@code rm}, {@code chmod}, {@code mkdir}. Sub-second listing needs GNU find
 * ({@code -printf}); setAttributes uses {@code touch -d @SECONDS.NANOS}, a GNU (and recent
 * busybox) extension. Upload mtimes travel in SCP time records, to the microsecond.
 *
 * <p>Limits: names with a newline or carriage return cannot be sent or received (refused per
 * file); symlinks are listed but cannot be created ({@link #supportsSymlinks()} is false).
 */
public final class ScpRemote implements Remote {
  private static final Logger log = LoggerFactory.getLogger(ScpRemote.class);
  private static final Duration DEFAULT_IDLE = Duration.ofSeconds(60);
  /** Bounds one {@code scp -f} command line; far below Linux's 128 KiB per argument. */
  private static final int COMMAND_LIMIT = 60 * 1024;
  /** dropbear refuses exec requests longer than its MAX_CMD_LEN (9000). */
  private static final int DROPBEAR_COMMAND_LIMIT = 8000;
  /** Channels that may break in a row (EOF, timeout) before a batch gives up. */
  private static final int MAX_BROKEN_IN_A_ROW = 3;

  private final ClientSession session;
  private final RemotePaths paths;
  private final String description;
  private final Duration idle;
  private final int commandLimit;
  private final boolean posixListing;

  /**
   * Uses a session for SCP. The remote owns the session from here on and closes it in {@link
   * #close()}.
   *
   * @param root the remote root as the user gave it: absolute, or relative to the login directory
   * @param description where this is, for messages ({@code scp://user@host:port/path})
   */
  public ScpRemote(ClientSession session, String root, String description) {
    this(session, root, description, DEFAULT_IDLE, false);
  }

  /**
   * @param idle how long any step may go without progress before it fails
   * @param posixListing list with the POSIX fallback even where GNU find is available (tests)
   */
  ScpRemote(ClientSession session, String root, String description, Duration idle, boolean posixListing) {
    this.session = session;
    this.paths = new RemotePaths(root);
    this.description = description;
    this.idle = idle;
    this.posixListing = posixListing;
    String version = session.getServerVersion();
    this.commandLimit = version != null && version.toLowerCase().contains("dropbear") ? DROPBEAR_COMMAND_LIMIT : COMMAND_LIMIT;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public Protocol protocol() {
    return Protocol.SCP;
  }

  @Override
  public boolean supportsSymlinks() {
    return false;
  }

  @Override
  public RemoteListing list() throws IOException {
    return FindListing.list(session, paths.root(), description, idle, posixListing);
  }

  @Override
  public void createRoot() throws IOException {
    ShellBatch batch = new ShellBatch("""
        mkroot() {
          if [ -d "$1" ]; then return 0; fi
          if [ -e "$1" ] || [ -L "$1" ]; then echo "$1 exists and is not a directory"; return 1; fi
          mkdir -p -- "$1"
        }""");
    batch.add("mkroot " + quote(paths.root()));
    String error = batch.run(session, idle).get(0);
    if (error != null) {
      throw new IOException("cannot create " + description + ": " + error);
    }
  }

  @Override
  public List<Problem> mkdirs(List<Entry> directories) throws IOException {
    // An existing directory is fine (it only gets its mode); a symlink in its place is not.
    return runPerEntry(directories, """
        md() {
          if [ -d "$2" ] && [ ! -L "$2" ]; then chmod -- "$1" "$2"; else mkdir -m "$1" -- "$2"; fi
        }""", "cannot create directory",
        e -> "md " + octal(e.mode()) + " " + quote(paths.of(e.path())));
  }

  @Override
  public List<Problem> setAttributes(List<Entry> entries) throws IOException {
    List<Entry> settable = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    for (Entry e : entries) {
      if (e.isSymlink()) {
        problems.add(new Problem(e.path(), "symlinks are not supported over SCP"));
      } else {
        settable.add(e);
      }
    }
    // chmod and touch follow symlinks: refuse to reach through one that appeared meanwhile.
    problems.addAll(runPerEntry(settable, """
        sa() {
          if [ -L "$3" ]; then echo "$3 is a symlink; not changed"; return 1; fi
          chmod -- "$1" "$3" && touch -c -m -d "@$2" -- "$3"
        }""", "cannot set mode/mtime",
        e -> "sa " + octal(e.mode()) + " " + FinalRenames.epochSeconds(e.mtime()) + " " + quote(paths.of(e.path()))));
    return problems;
  }

  @Override
  public List<Problem> delete(List<Entry> entries) throws IOException {
    return runPerEntry(entries, "", "cannot delete", e -> "rm -rf -- " + quote(paths.of(e.path())));
  }

  @Override
  public List<Problem> symlinks(List<Entry> links) {
    throw new UnsupportedOperationException("symlinks cannot be created over SCP (" + description + ")");
  }

  /** One script for all entries; a Problem for each command that failed. */
  private List<Problem> runPerEntry(List<Entry> entries, String functions, String what, Function<Entry, String> command)
      throws IOException {
    List<Problem> problems = new ArrayList<>();
    ShellBatch batch = new ShellBatch(functions);
    List<Entry> batched = new ArrayList<>();
    for (Entry e : entries) {
      String unsafe = RemotePaths.unsafe(e.path());
      if (unsafe != null) {
        problems.add(new Problem(e.path(), unsafe));
      } else {
        batch.add(command.apply(e));
        batched.add(e);
      }
    }
    if (batched.isEmpty()) {
      return problems;
    }
    List<String> results = batch.run(session, idle);
    for (int i = 0; i < batched.size(); i++) {
      if (results.get(i) != null) {
        problems.add(new Problem(batched.get(i).path(), what + ": " + results.get(i)));
      }
    }
    return problems;
  }

  @Override
  public void upload(List<FileTransfer> files, TransferListener listener) throws IOException {
    List<Upload> uploads = new ArrayList<>();
    for (FileTransfer f : files) {
      String refusal = RemotePaths.notCarriableByScp(f.entry().path());
      if (refusal != null) {
        listener.failed(f, new IOException(f.entry().path() + ": " + refusal));
      } else {
        uploads.add(new Upload(f, TempNames.beside(f.entry().path())));
      }
    }
    // Directory by directory, so the sink walks the tree with as few D/E records as possible.
    uploads.sort(Comparator.comparing(Upload::directory, ScpRemote::compareElements));
    FinalRenames renames = new FinalRenames(paths);
    List<Upload> complete = new ArrayList<>();
    try {
      sendAll(uploads, renames, complete, listener);
    } catch (IOException e) {
      if (sessionAlive()) {
        discardQuietly(complete);
      }
      throw e;
    }
    if (renames.isEmpty()) {
      return;
    }
    List<String> results = renames.run(session, idle);
    for (int i = 0; i < complete.size(); i++) {
      FileTransfer f = complete.get(i).file();
      if (results.get(i) == null) {
        listener.done(f);
      } else {
        listener.failed(f, new IOException("cannot move " + f.entry().path() + " into place: " + results.get(i)));
      }
    }
  }

  private void sendAll(List<Upload> uploads, FinalRenames renames, List<Upload> complete, TransferListener listener)
      throws IOException {
    ScpSink sink = null;
    int brokenInARow = 0;
    try {
      for (Upload u : uploads) {
        if (sink == null) {
          sink = ScpSink.open(session, paths.root(), idle);
        }
        Exception failure;
        try {
          failure = sink.send(u, listener);
          brokenInARow = 0;
        } catch (IOException e) {
          failure = brokenChannel(e, sink.stderr(), ++brokenInARow);
          sink.close();
          sink = null;
        }
        if (failure == null) {
          renames.commit(u);
          complete.add(u);
        } else {
          renames.discard(u);
          listener.failed(u.file(), failure);
        }
        if (sink != null && !sink.reusable()) {
          retire(sink);
          sink = null;
        }
      }
      if (sink != null) {
        retire(sink);
        sink = null;
      }
    } finally {
      if (sink != null) {
        sink.close();
      }
    }
  }

  /** Ends a sink whose files are all acknowledged; its exit status no longer matters to them. */
  private void retire(ScpSink sink) throws IOException {
    try (sink) {
      int exit = sink.finish();
      log.debug("{}: scp -t exited {} {}", description, exit, sink.stderr());
    } catch (IOException e) {
      if (!sessionAlive()) {
        throw sessionLost(e);
      }
      log.debug("{}: scp -t did not end cleanly: {}", description, e.getMessage());
    }
  }

  private void discardQuietly(List<Upload> uploads) {
    FinalRenames cleanup = new FinalRenames(paths);
    uploads.forEach(cleanup::discard);
    try {
      if (!cleanup.isEmpty()) {
        cleanup.run(session, idle);
      }
    } catch (IOException e) {
      log.debug("{}: cannot remove temporary files: {}", description, e.getMessage());
    }
  }

  @Override
  public void download(List<FileTransfer> files, TransferListener listener) throws IOException {
    List<FileTransfer> wanted = new ArrayList<>();
    for (FileTransfer f : files) {
      String refusal = RemotePaths.notCarriableByScp(f.entry().path());
      if (refusal != null) {
        listener.failed(f, new IOException(f.entry().path() + ": " + refusal));
      } else {
        wanted.add(f);
      }
    }
    int next = 0;
    int brokenInARow = 0;
    while (next < wanted.size()) {
      List<FileTransfer> chunk = wanted.subList(next, chunkEnd(wanted, next));
      List<String> remote = chunk.stream().map(f -> paths.of(f.entry().path())).toList();
      try (ScpSource source = ScpSource.open(session, remote, idle)) {
        int handled = source.receive(chunk, listener);
        next += handled;
        if (source.broken() == null) {
          brokenInARow = 0;
        } else if (++brokenInARow >= MAX_BROKEN_IN_A_ROW) {
          throw new IOException("giving up on " + description + ": " + MAX_BROKEN_IN_A_ROW
              + " scp -f channels in a row broke off; last: " + source.broken().getMessage(), source.broken());
        }
        if (handled == chunk.size()) {
          finishQuietly(source);
        }
      } catch (IOException e) {
        throw sessionAlive() ? e : sessionLost(e);
      }
    }
  }

  private void finishQuietly(ScpSource source) throws IOException {
    try {
      source.finish();
    } catch (IOException e) {
      if (!sessionAlive()) {
        throw sessionLost(e);
      }
      log.debug("{}: scp -f did not end cleanly: {}", description, e.getMessage());
    }
  }

  /** Where a chunk of downloads starting at {@code from} ends, keeping the command line bounded. */
  private int chunkEnd(List<FileTransfer> files, int from) {
    int length = 32;
    int end = from;
    while (end < files.size()) {
      length += quote(paths.of(files.get(end).entry().path())).getBytes(StandardCharsets.UTF_8).length + 1;
      if (length > commandLimit && end > from) {
        break;
      }
      end++;
    }
    return end;
  }

  /** The failure of the file that was in flight when a channel broke; gives up after several. */
  private IOException brokenChannel(IOException e, String stderr, int inARow) throws IOException {
    if (!sessionAlive()) {
      throw sessionLost(e);
    }
    IOException failure = new IOException("scp channel broke: " + e.getMessage() + (stderr.isEmpty() ? "" : " (" + stderr + ")"), e);
    if (inARow >= MAX_BROKEN_IN_A_ROW) {
      throw new IOException("giving up on " + description + ": " + inARow + " scp channels in a row broke off", failure);
    }
    return failure;
  }

  private boolean sessionAlive() {
    return session.isOpen() && !session.isClosing();
  }

  private IOException sessionLost(IOException cause) {
    return new IOException("SSH session to " + description + " lost: " + cause.getMessage(), cause);
  }

  private static String octal(int mode) {
    return String.format("%04o", mode & 07777);
  }

  private static int compareElements(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  @Override
  public void close() throws IOException {
    session.close(false);
  }
}
