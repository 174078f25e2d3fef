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
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote tree reached with the legacy SCP protocol and a few POSIX shell commands, for servers
 * that have no SFTP subsystem (OpenSSH without a Subsystem line, dropbear, appliances).
 *
 * <p>Per batch: uploads go through one {@code scp -t} channel ({@link ScpSink}), or for a large
 * batch up to {@code sinks} side by side, under temporary names and are then chmod-ed and renamed
 * into place by one script ({@link FinalRenames});
 * downloads come through {@code scp -f} channels of many files each ({@link ScpSource}); mkdirs,
 * setAttributes and delete are one script each ({@link ShellBatch}); the listing is one {@code
 * find} ({@link FindListing}). Every remote path is single-quoted for the shell.
 *
 * <p>Server requirements: a login shell that reads POSIX single quotes (sh, bash, dash, ksh, zsh,
 * ash; not csh), {@code sh}, {@code scp}, {@code find}, {@code mv}, {@code rm}, {@code chmod},
 * {@code mkdir}, {@code touch}. Sub-second listing needs GNU find ({@code -printf}); without it the
 * listing falls back to {@code stat -c} and {@code readlink} per entry. setAttributes uses {@code
 * touch -d @SECONDS.NANOS}, a GNU (and recent busybox) extension. Upload mtimes travel in SCP time
 * records, to the microsecond; setAttributes carries nanoseconds.
 *
 * <p>Limits: names with a newline or carriage return cannot be sent or received (refused per file);
 * symlinks are listed but cannot be created ({@link #supportsSymlinks()} is false).
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

  /** {@code scp -t} channels a target's uploads may use at once when the user did not say. */
  public static final int DEFAULT_SINKS = 1;

  /**
   * Files each sink gets at least: a sink costs a channel, a shell and an scp process on the
   * server, which a few hundred files repay (as SFTP's extra channels).
   */
  static final int FILES_PER_SINK = 250;

  private final ClientSession session;
  private final RemotePaths paths;
  private final String description;
  private final Duration idle;
  private final int commandLimit;
  private final boolean posixListing;
  private final TreeCommands commands;
  private final int sinks;
  /** How many sinks the server granted before it refused one; later batches ask for no more. */
  private volatile int grantedSinks = Integer.MAX_VALUE;

  /**
   * Uses a session for SCP. The remote owns the session from here on and closes it in {@link
   * #close()}.
   *
   * @param root the remote root as the user gave it: absolute, or relative to the login directory
   * @param description where this is, for messages ({@code scp://user@host:port/path})
   * @param sinks most {@code scp -t} channels an upload uses at once (at least 1)
   */
  public ScpRemote(ClientSession session, String root, String description, int sinks) {
    this(session, root, description, DEFAULT_IDLE, false, sinks);
  }

  /**
   * @param idle how long any step may go without progress before it fails
   * @param posixListing list with the POSIX fallback even where GNU find is available (tests)
   */
  ScpRemote(
      ClientSession session, String root, String description, Duration idle, boolean posixListing) {
    this(session, root, description, idle, posixListing, DEFAULT_SINKS);
  }

  ScpRemote(
      ClientSession session,
      String root,
      String description,
      Duration idle,
      boolean posixListing,
      int sinks) {
    if (sinks < 1) {
      throw new IllegalArgumentException("sinks must be at least 1: " + sinks);
    }
    this.sinks = sinks;
    this.session = session;
    this.paths = new RemotePaths(root);
    this.description = description;
    this.idle = idle;
    this.posixListing = posixListing;
    this.commands = new TreeCommands(session, paths, description, idle);
    String version = session.getServerVersion();
    this.commandLimit =
        version != null && version.toLowerCase().contains("dropbear")
            ? DROPBEAR_COMMAND_LIMIT
            : COMMAND_LIMIT;
  }

  @Override
  public boolean isOpen() {
    return session.isOpen() && !session.isClosing();
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
    try {
      return FindListing.list(session, paths.root(), description, idle, posixListing);
    } catch (IOException e) {
      throw sessionLost(e);
    }
  }

  @Override
  public void createRoot() throws IOException {
    commands.createRoot();
  }

  @Override
  public List<Problem> mkdirs(List<Entry> directories) throws IOException {
    return commands.mkdirs(directories);
  }

  @Override
  public List<Problem> setAttributes(List<Entry> entries) throws IOException {
    return commands.setAttributes(entries);
  }

  @Override
  public List<Problem> delete(List<Entry> entries) throws IOException {
    return commands.delete(entries);
  }

  @Override
  public java.util.Optional<java.util.Map<String, String>> sha256(List<String> paths) throws IOException {
    return dev.scpsync.transport.RemoteHashes.sha256(session, paths, paths2 -> this.paths.of(paths2));
  }

  @Override
  public List<Problem> rename(java.util.SequencedMap<String, String> fromTo) throws IOException {
    return commands.rename(fromTo);
  }

  @Override
  public List<Problem> symlinks(List<Entry> links) {
    throw new UnsupportedOperationException(
        "symlinks cannot be created over SCP (" + description + ")");
  }

  @Override
  public void upload(List<FileTransfer> files, TransferListener listener, dev.scpsync.transport.Chunking chunking)
      throws IOException {
    List<FileTransfer> small = new ArrayList<>();
    List<FileTransfer> large = new ArrayList<>();
    for (FileTransfer f : files) {
      boolean carriable = RemotePaths.notCarriableByScp(f.entry().path()) == null;
      (carriable && chunking.chunked(f.entry().size()) ? large : small).add(f);
    }
    upload(small, listener);
    ChunkedScpUpload chunked = new ChunkedScpUpload(session, paths, idle, chunking);
    for (FileTransfer f : large) {
      try {
        if (!chunked.upload(f, listener)) {
          listener.unverified(f);
        }
        listener.done(f);
      } catch (IOException e) {
        if (!sessionAlive()) {
          throw sessionLost(e);
        }
        listener.failed(f, e);
      }
    }
  }

  @Override
  public void upload(List<FileTransfer> files, TransferListener listener) throws IOException {
    List<Upload> uploads = new ArrayList<>();
    for (FileTransfer f : files) {
      String refusal = RemotePaths.notCarriableByScp(f.entry().path());
      if (refusal != null) {
        listener.failed(f, new IOException(visible(f.entry().path()) + ": " + refusal));
      } else {
        uploads.add(new Upload(f, TempNames.beside(f.entry().path())));
      }
    }
    // Directory by directory, so the sink walks the tree with as few D/E records as possible.
    uploads.sort(Comparator.comparing(Upload::directory, ScpRemote::compareElements));
    List<Upload> complete = new ArrayList<>();
    List<Upload> incomplete = new ArrayList<>();
    IOException failure = null;
    try {
      sendShared(uploads, complete, incomplete, listener);
    } catch (IOException e) {
      if (!sessionAlive()) {
        throw sessionLost(e);
      }
      failure = e; // what did arrive is still put in place (or cleaned up) and reported
    }
    if (!complete.isEmpty() || !incomplete.isEmpty()) {
      try (FinalRenames renames = new FinalRenames(session, paths, idle)) {
        for (Upload u : complete) {
          renames.commit(u);
        }
        for (Upload u : incomplete) {
          renames.discard(u);
        }
        report(renames.finish(), listener);
      } catch (IOException e) {
        throw sessionLost(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Sends files over up to {@link #sinks} sinks at once, each with at least {@link
   * #FILES_PER_SINK} files: a contiguous run of the list sorted by directory, so that each still
   * walks its part of the tree with few D/E records. Each sink is an scp process on the server,
   * and one acknowledges one file at a time. A sink the server refuses (OpenSSH allows {@code
   * MaxSessions}, 10 by default, per connection) is done without, in this batch and the next.
   */
  private void sendShared(
      List<Upload> uploads,
      List<Upload> complete,
      List<Upload> incomplete,
      TransferListener listener)
      throws IOException {
    int most = Math.min(sinks, grantedSinks);
    int wanted = Math.max(1, Math.min(most, uploads.size() / FILES_PER_SINK));
    if (wanted == 1) {
      sendAll(uploads, complete, incomplete, listener, null);
      return;
    }
    List<ScpSink> opened = new ArrayList<>();
    try {
      while (opened.size() < wanted) {
        try {
          opened.add(ScpSink.open(session, paths.root(), idle));
        } catch (IOException e) {
          if (opened.isEmpty() || !sessionAlive() || !RemoteProcess.refused(e)) {
            throw e;
          }
          grantedSinks = opened.size();
          log.info(
              "{}: the server refused scp channel {} of {} ({}); using {} from now on",
              description,
              opened.size() + 1,
              wanted,
              e.getMessage(),
              opened.size());
          break;
        }
      }
      int n = opened.size();
      List<List<Upload>> completes = new ArrayList<>();
      List<List<Upload>> incompletes = new ArrayList<>();
      List<Future<Void>> parts = new ArrayList<>();
      IOException failure = null;
      try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < n; i++) {
          int size = uploads.size();
          List<Upload> share = uploads.subList(i * size / n, (i + 1) * size / n);
          List<Upload> shareComplete = new ArrayList<>();
          List<Upload> shareIncomplete = new ArrayList<>();
          completes.add(shareComplete);
          incompletes.add(shareIncomplete);
          ScpSink sink = opened.get(i);
          parts.add(
              workers.submit(
                  () -> {
                    sendAll(share, shareComplete, shareIncomplete, listener, sink);
                    return null;
                  }));
        }
        opened.clear(); // each part owns its sink now
        for (Future<Void> part : parts) {
          try {
            part.get();
          } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
              throw re;
            }
            IOException io =
                e.getCause() instanceof IOException x ? x : new IOException(e.getCause());
            if (failure == null) {
              failure = io;
            } else {
              failure.addSuppressed(io);
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = new InterruptedIOException("interrupted while uploading to " + description);
      }
      completes.forEach(complete::addAll); // what did arrive is put in place even after a failure
      incompletes.forEach(incomplete::addAll);
      if (failure != null) {
        throw failure;
      }
    } finally {
      for (ScpSink sink : opened) {
        sink.close();
      }
    }
  }

  /**
   * Sends files through as few sinks as possible, starting with {@code first} when given; sorts
   * them into complete and incomplete.
   */
  private void sendAll(
      List<Upload> uploads,
      List<Upload> complete,
      List<Upload> incomplete,
      TransferListener listener,
      ScpSink first)
      throws IOException {
    ScpSink sink = first;
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
          String stderr = sink.stderr();
          sink.close();
          sink = null;
          incomplete.add(u); // a partial temporary file may be left
          failure = brokenChannel(e, stderr, ++brokenInARow);
          listener.failed(u.file(), failure);
          continue;
        }
        if (failure == null) {
          complete.add(u);
        } else {
          incomplete.add(u);
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

  private static void report(List<FinalRenames.Placed> placed, TransferListener listener) {
    for (FinalRenames.Placed p : placed) {
      FileTransfer f = p.upload().file();
      if (p.error() == null) {
        listener.done(f);
      } else {
        listener.failed(
            f, new IOException("cannot move " + f.entry().path() + " into place: " + p.error()));
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

  @Override
  public void download(List<FileTransfer> files, TransferListener listener) throws IOException {
    List<FileTransfer> wanted = new ArrayList<>();
    for (FileTransfer f : files) {
      String refusal = RemotePaths.notCarriableByScp(f.entry().path());
      if (refusal != null) {
        listener.failed(f, new IOException(visible(f.entry().path()) + ": " + refusal));
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
          throw new IOException(
              "giving up on "
                  + description
                  + ": "
                  + MAX_BROKEN_IN_A_ROW
                  + " scp -f channels in a row broke off; last: "
                  + source.broken().getMessage(),
              source.broken());
        }
        if (handled == chunk.size()) {
          finishQuietly(source);
        }
      } catch (IOException e) {
        throw sessionLost(e);
      }
    }
  }

  private void finishQuietly(ScpSource source) throws IOException {
    try {
      int exit = source.finish();
      log.debug("{}: scp -f exited {}", description, exit);
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
      length +=
          quote(paths.of(files.get(end).entry().path())).getBytes(StandardCharsets.UTF_8).length
              + 1;
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
    IOException failure =
        new IOException(
            "scp channel broke: " + e.getMessage() + (stderr.isEmpty() ? "" : " (" + stderr + ")"),
            e);
    if (inARow >= MAX_BROKEN_IN_A_ROW) {
      throw new IOException(
          "giving up on " + description + ": " + inARow + " scp channels in a row broke off",
          failure);
    }
    return failure;
  }

  private boolean sessionAlive() {
    return SessionLost.alive(session);
  }

  private IOException sessionLost(IOException cause) {
    return SessionLost.check(session, description, cause);
  }

  /** A path for a message, with the line breaks that made it unsendable shown as escapes. */
  private static String visible(String path) {
    return path.replace("\n", "\\n").replace("\r", "\\r");
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
