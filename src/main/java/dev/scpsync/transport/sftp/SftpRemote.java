package dev.scpsync.transport.sftp;

import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.Futures;
import dev.scpsync.transport.Protocol;
import dev.scpsync.transport.Remote;
import dev.scpsync.transport.RemoteListing;
import dev.scpsync.transport.TempNames;
import dev.scpsync.transport.TransferListener;
import dev.scpsync.transport.scp.FindListing;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import dev.scpsync.tree.TreePaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.RawSftpClient;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHLimitsExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.client.impl.AbstractSftpClient;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote tree over SFTP (version 3, as OpenSSH speaks it).
 *
 * <p>Many requests are kept in flight: files of a batch and directories of a listing are worked
 * on by several virtual threads sharing one SFTP channel (MINA's client matches replies to
 * requests by id), and each file's writes are pipelined by MINA's async output stream. Writes
 * never exceed the server's {@code limits@openssh.com} maximum: OpenSSH drops the channel on a
 * larger one. Final renames use {@code posix-rename@openssh.com} (atomic replace) when offered;
 * {@code fsync@openssh.com} is used for files of 1 MiB and more before the rename.
 */
public final class SftpRemote implements Remote {
  private static final Logger log = LoggerFactory.getLogger(SftpRemote.class);
  /** SFTP requires servers to accept at least this; used when a server states no limit. */
  private static final int SAFE_WRITE = 32 * 1024;
  private static final int MAX_WRITE = 255 * 1024;
  private static final long FSYNC_THRESHOLD = 1024 * 1024;
  private static final String FSYNC_EXTENSION = "fsync@openssh.com";
  /** How long the listing's {@code find} may go without output before it counts as stuck. */
  private static final java.time.Duration FIND_IDLE = java.time.Duration.ofMinutes(2);
  private static final int PARALLEL = 32;
  /** Channels a target's uploads may use when the user did not say ({@code parallel}). */
  public static final int DEFAULT_CHANNELS = 2;
  /**
   * Small files each channel gets at least: opening one costs round trips and a server process,
   * which a few hundred files repay. (With the default of two channels, a batch of 500 small files
   * is where the second one starts.)
   */
  static final int SMALL_FILES_PER_CHANNEL = 250;
  private static final int LARGE_FILES_AT_ONCE = 4;
  /** How long {@link #close} lets channels still being opened finish. */
  private static final java.time.Duration CLOSE_GRACE = java.time.Duration.ofSeconds(5);
  /** Batches with fewer small files stay on the session's channel: a channel of their own costs a round trip and a process. */
  static final int PIPE_FROM_FILES = 32;
  /** Requests outstanding per {@link SftpPipe}: they go out together, and sftp-server answers them together. */
  static final int PIPE_WINDOW = 256;

  private final ClientSession session;
  private final SftpClient sftp;
  private final String root;
  private final String description;
  private final int channels;
  /** Whether {@link #list} tries {@code find} first; off once the server showed it cannot run it. */
  private volatile boolean findListing = true;
  /** How many channels the server granted before it refused one; later batches ask for no more. */
  private volatile int grantedChannels = Integer.MAX_VALUE;
  private final int writeSize;
  private final int readSize;
  private final OpenSSHPosixRenameExtension posixRename;
  private final OpenSSHFsyncExtension fsync;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final Pipes pipes = new Pipes();
  /** Opens {@link SftpPipe} channels; apart from {@link #workers} so that {@link #close} can let them finish. */
  private final ExecutorService opener = Executors.newVirtualThreadPerTaskExecutor();
  private final java.util.concurrent.Semaphore largeFiles = new java.util.concurrent.Semaphore(LARGE_FILES_AT_ONCE);
  private final ChunkedSftpUpload.Pipes lanes = new ChunkedSftpUpload.Pipes() {
    @Override
    public List<SftpPipe> take(int wanted) throws IOException {
      return pipes.take(wanted);
    }

    @Override
    public void giveBack(List<SftpPipe> taken, boolean healthy) {
      pipes.giveBack(taken, healthy);
    }
  };

  /**
   * Uses an open SFTP client of a session (opening it is where a server without the subsystem
   * fails; the caller may then fall back to SCP). The remote owns the session from here on and
   * closes it in {@link #close()}.
   *
   * @param channels most SFTP channels an upload uses at once, this client's included (at least 1)
   */
  public SftpRemote(ClientSession session, String root, String description, SftpClient sftp, int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException("channels must be at least 1: " + channels);
    }
    this.session = session;
    this.sftp = sftp;
    this.root = root.isEmpty() ? "." : root;
    this.description = description;
    this.channels = channels;
    OpenSSHLimitsExtension limits = sftp.getExtension(OpenSSHLimitsExtension.class);
    int write = SAFE_WRITE;
    int read = SAFE_WRITE;
    if (limits != null && limits.isSupported()) {
      try {
        var info = limits.limits();
        write = (int) Math.min(MAX_WRITE, info.maxWriteLength > 0 ? info.maxWriteLength : SAFE_WRITE);
        read = (int) Math.min(MAX_WRITE, info.maxReadLength > 0 ? info.maxReadLength : SAFE_WRITE);
      } catch (IOException e) {
        log.debug("limits@openssh.com failed on {}: {}", description, e.getMessage());
      }
    } else if (sftp.getServerExtensions().containsKey("posix-rename@openssh.com") && !isOpenSsh(session)) {
      // A server that is not OpenSSH (MINA's, our own receiver) takes large writes.
      write = MAX_WRITE;
      read = MAX_WRITE;
    }
    this.writeSize = write;
    this.readSize = read;
    OpenSSHPosixRenameExtension rename = sftp.getExtension(OpenSSHPosixRenameExtension.class);
    this.posixRename = rename != null && rename.isSupported() ? rename : null;
    OpenSSHFsyncExtension sync = sftp.getExtension(OpenSSHFsyncExtension.class);
    this.fsync = sync != null && sync.isSupported() ? sync : null;
    log.debug("{}: write {} read {} posix-rename {} fsync {}", description, writeSize, readSize, posixRename != null, fsync != null);
  }

  private static boolean isOpenSsh(ClientSession session) {
    String version = session.getServerVersion();
    return version != null && version.contains("OpenSSH");
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
    return Protocol.SFTP;
  }

  @Override
  public boolean supportsSymlinks() {
    return true;
  }

  private String remote(String relative) {
    if (root.equals("/")) {
      return "/" + relative;
    }
    return TreePaths.join(root, relative);
  }

  /**
   * The remote tree: listed by one {@code find} on the server where it runs commands and has GNU
   * find (100,000 files in about half the time of SFTP's directory reads), else over SFTP.
   */
  @Override
  public RemoteListing list() throws IOException {
    if (findListing) {
      Optional<RemoteListing> found = listWithFind();
      if (found.isPresent()) {
        return found.get();
      }
    }
    return new SftpLister(sftp, workers, this::remote, root, description).list();
  }

  /**
   * The listing from {@link FindListing#listGnu}, or empty when it cannot stand in for SFTP's. The
   * shell must see the tree SFTP sees (an SFTP-only account's start directory or chroot may differ
   * from a shell's): find runs on the absolute path SFTP resolves the root to, and its top level
   * must name what SFTP reads in the root, else SFTP lists. Its mtimes are cut to whole seconds, as
   * SFTP v3 reports (and sets) them.
   */
  private Optional<RemoteListing> listWithFind() throws IOException {
    String absolute;
    try {
      absolute = sftp.canonicalPath(root);
    } catch (SftpException e) {
      return Optional.empty(); // no root: SFTP's lister says so
    }
    RemoteListing found;
    long t0 = System.nanoTime();
    try {
      found = FindListing.listGnu(session, absolute, description, FIND_IDLE, true);
    } catch (IOException e) {
      if (!session.isOpen()) {
        throw e;
      }
      findListing = false;
      log.debug("{}: listing over SFTP from now on ({})", description, e.getMessage());
      return Optional.empty();
    }
    if (!found.rootExists()) {
      return Optional.empty();
    }
    java.util.Set<String> topLevel = new java.util.TreeSet<>();
    for (Entry e : found.tree().entries()) {
      if (e.parent().isEmpty()) {
        topLevel.add(e.name());
      }
    }
    java.util.Set<String> overSftp = new java.util.TreeSet<>();
    try {
      for (DirEntry d : sftp.readDir(root)) {
        if (!d.getFilename().equals(".") && !d.getFilename().equals("..")) {
          overSftp.add(d.getFilename());
        }
      }
    } catch (SftpException e) {
      return Optional.empty();
    }
    if (!topLevel.equals(overSftp)) {
      log.debug("{}: find's listing of {} differs from SFTP's at the top ({} vs {} names); listing over SFTP", description,
          absolute, topLevel.size(), overSftp.size());
      return Optional.empty();
    }
    log.debug("{}: {} entries listed by find in {} ms", description, found.tree().size(), (System.nanoTime() - t0) / 1_000_000);
    return Optional.of(found);
  }

  private Attributes lstatOrNull(String path) throws IOException {
    return SftpLister.lstatOrNull(sftp, path);
  }

  // ---- directories and attributes

  @Override
  public void createRoot() throws IOException {
    Attributes attrs = lstatOrNull(root);
    if (attrs != null) {
      if (attrs.isSymbolicLink()) {
        attrs = sftp.stat(root);
      }
      if (!attrs.isDirectory()) {
        throw new IOException(description + " exists and is not a directory");
      }
      return;
    }
    // Create missing ancestors first, like mkdir -p.
    List<String> missing = new ArrayList<>();
    String p = root;
    while (!p.isEmpty() && !p.equals("/") && !p.equals(".") && lstatOrNull(p) == null) {
      missing.add(0, p);
      int slash = p.lastIndexOf('/');
      p = slash < 0 ? "" : (slash == 0 ? "/" : p.substring(0, slash));
    }
    for (String dir : missing) {
      try {
        sftp.mkdir(dir);
      } catch (SftpException e) {
        throw new IOException("cannot create " + dir + " on " + description + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public List<Problem> mkdirs(List<Entry> directories) throws IOException {
    List<Problem> problems = new ArrayList<>();
    for (Entry dir : directories) {
      try {
        sftp.mkdir(remote(dir.path()));
        sftp.setStat(remote(dir.path()), new Attributes().perms(dir.mode()));
      } catch (SftpException e) {
        problems.add(new Problem(dir.path(), "cannot create directory: " + e.getMessage()));
      }
    }
    return problems;
  }

  @Override
  public List<Problem> setAttributes(List<Entry> entries) throws IOException {
    List<Callable<Problem>> tasks = new ArrayList<>();
    for (Entry e : entries) {
      tasks.add(() -> {
        try {
          sftp.setStat(remote(e.path()), attributesOf(e));
          return null;
        } catch (SftpException x) {
          return new Problem(e.path(), "cannot set mode/mtime: " + x.getMessage());
        }
      });
    }
    return runAll(tasks);
  }

  static Attributes attributesOf(Entry e) {
    FileTime mtime = FileTime.from(e.mtime());
    Attributes attrs = new Attributes().perms(e.mode());
    attrs.setModifyTime(mtime);
    attrs.setAccessTime(FileTime.from(Instant.now()));
    return attrs;
  }

  @Override
  public List<Problem> symlinks(List<Entry> links) throws IOException {
    List<Problem> problems = new ArrayList<>();
    for (Entry link : links) {
      String temp = remote(TempNames.beside(link.path()));
      try {
        sftp.symLink(temp, link.linkTarget());
        renameOver(temp, remote(link.path()));
      } catch (SftpException e) {
        problems.add(new Problem(link.path(), "cannot create symlink: " + e.getMessage()));
        removeQuietly(temp);
      }
    }
    return problems;
  }

  @Override
  public java.util.Optional<java.util.Map<String, String>> sha256(List<String> paths) throws IOException {
    return dev.scpsync.transport.RemoteHashes.sha256(session, paths, this::remote);
  }

  @Override
  public List<Problem> rename(java.util.SequencedMap<String, String> fromTo) throws IOException {
    List<Problem> problems = new ArrayList<>();
    for (var move : fromTo.entrySet()) {
      try {
        renameOver(remote(move.getKey()), remote(move.getValue()));
      } catch (SftpException e) {
        problems.add(new Problem(move.getKey(), "cannot rename to " + move.getValue() + ": " + e.getMessage()));
      }
    }
    return problems;
  }

  @Override
  public List<Problem> delete(List<Entry> entries) throws IOException {
    List<Problem> problems = new ArrayList<>();
    for (Entry e : entries) {
      try {
        if (e.isDirectory()) {
          deleteTree(remote(e.path()));
        } else {
          sftp.remove(remote(e.path()));
        }
      } catch (SftpException x) {
        if (x.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
          problems.add(new Problem(e.path(), "cannot delete: " + x.getMessage()));
        }
      }
    }
    return problems;
  }

  private void deleteTree(String dir) throws IOException {
    List<String> subdirs = new ArrayList<>();
    for (DirEntry d : sftp.readDir(dir)) {
      String name = d.getFilename();
      if (name.equals(".") || name.equals("..")) {
        continue;
      }
      String child = dir + "/" + name;
      if (d.getAttributes().isDirectory()) {
        subdirs.add(child);
      } else {
        sftp.remove(child);
      }
    }
    for (String sub : subdirs) {
      deleteTree(sub);
    }
    sftp.rmdir(dir);
  }

  // ---- file transfer

  @Override
  public void upload(List<FileTransfer> files, TransferListener listener) throws IOException {
    upload(files, listener, dev.scpsync.transport.Chunking.defaults());
  }

  @Override
  public void upload(List<FileTransfer> files, TransferListener listener, dev.scpsync.transport.Chunking chunking)
      throws IOException {
    // Small files go through one pipelined stream of requests when the server speaks v3 with
    // posix-rename (OpenSSH); large files and other servers use the blocking API on a few threads.
    boolean pipeline = sftp.getVersion() == SftpConstants.SFTP_V3 && posixRename != null && sftp instanceof RawSftpClient;
    List<FileTransfer> small = new ArrayList<>();
    List<FileTransfer> ordered = new ArrayList<>(files);
    ordered.sort(Comparator.comparingLong((FileTransfer f) -> f.entry().size()).reversed());
    for (FileTransfer f : ordered) {
      if (pipeline && f.entry().size() <= writeSize) {
        small.add(f);
      }
    }
    // A large batch of small files has the first claim on the channels of our own; files between
    // one write and a chunk share one of them if one is left; chunked files take theirs as they start.
    List<SftpPipe> smallPipes = small.size() >= PIPE_FROM_FILES && pipeBudget() >= 1
        ? pipes.take(channelsFor(small.size(), pipeBudget())) : List.of();
    boolean anyMedium = pipeline && ordered.stream()
        .anyMatch(f -> f.entry().size() > writeSize && !chunking.chunked(f.entry().size()));
    List<SftpPipe> mediumPipes;
    try {
      mediumPipes = anyMedium && pipeBudget() >= 1 ? pipes.take(1) : List.of();
    } catch (IOException e) {
      pipes.giveBack(smallPipes, false);
      throw e;
    }
    SftpPipe medium = mediumPipes.isEmpty() ? null : mediumPipes.get(0);
    List<Callable<Problem>> tasks = new ArrayList<>();
    for (FileTransfer f : ordered) {
      if (pipeline && f.entry().size() <= writeSize) {
        continue;
      }
      boolean chunked = chunking.chunked(f.entry().size()) && sftp instanceof RawSftpClient;
      tasks.add(() -> {
        try {
          if (chunked) {
            if (!uploadChunked(f, listener, chunking)) {
              listener.unverified(f);
            }
          } else if (medium != null) {
            uploadOverPipe(medium, f, listener);
          } else {
            uploadOne(f, listener);
          }
          listener.done(f);
        } catch (SftpException | java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException
            | dev.scpsync.transport.ContentMismatch e) {
          listener.failed(f, e);
        }
        return null;
      });
    }
    boolean healthy = false;
    try {
      Future<List<Problem>> large = workers.submit(() -> runAll(tasks));
      if (!small.isEmpty()) {
        small.sort(Comparator.comparing((FileTransfer f) -> f.entry().path()));
        uploadSmall(small, listener, smallPipes);
      }
      Futures.await(large);
      healthy = true;
    } finally {
      pipes.giveBack(mediumPipes, healthy);
    }
  }

  /**
   * Small files, pipelined. A handful go over the session's own channel. More go over channels of
   * their own ({@link SftpPipe}: many requests per SSH packet), one per {@link
   * #SMALL_FILES_PER_CHANNEL} files up to {@link #channels}: each is its own sftp-server process on
   * the server, and that single-threaded process is what limits a stream of small files. These
   * channels stay open for the next batch: opening one costs a round trip and a process started
   * through the user's login shell (130 ms on the test machine, whose root shell loads pyenv). A
   * channel the server refuses (OpenSSH allows {@code MaxSessions}, 10 by default, per connection,
   * the session's own channel included) is done without, in this batch and the next; with none
   * granted the files go over the session's own channel.
   */
  private void uploadSmall(List<FileTransfer> small, TransferListener listener, List<SftpPipe> taken) throws IOException {
    if (taken.isEmpty()) {
      new PipelinedUploads(SftpRequests.of((RawSftpClient) sftp), PipelinedUploads.WINDOW, this::remote)
          .upload(small, listener);
      return;
    }
    boolean done = false;
    try {
      if (taken.size() == 1) {
        new PipelinedUploads(taken.get(0), PIPE_WINDOW, this::remote).upload(small, listener);
      } else {
        List<Future<Void>> parts = new ArrayList<>();
        for (int c = 0; c < taken.size(); c++) {
          SftpPipe lane = taken.get(c);
          List<FileTransfer> share = new ArrayList<>();
          for (int i = c; i < small.size(); i += taken.size()) {
            share.add(small.get(i));
          }
          parts.add(workers.submit(() -> {
            new PipelinedUploads(lane, PIPE_WINDOW, this::remote).upload(share, listener);
            return null;
          }));
        }
        for (Future<Void> part : parts) {
          Futures.await(part);
        }
      }
      done = true;
    } finally {
      pipes.giveBack(taken, done);
    }
  }

  /** {@link SftpPipe} channels this session may hold: the target's parallel, beside the session's own channel. */
  private int pipeBudget() {
    return Math.min(channels, grantedChannels - 1);
  }

  /**
   * The {@link SftpPipe} channels of this session, for batches of small files and the lanes of large
   * ones: idle ones wait here for the next use; at most {@link #pipeBudget} are open at once.
   */
  private final class Pipes {
    private final java.util.ArrayDeque<SftpPipe> idle = new java.util.ArrayDeque<>();
    private int open;
    private boolean closed;

    /**
     * Up to {@code wanted} channels for one batch, idle ones first, the rest opened at once (in
     * parallel); fewer when the server refuses one.
     */
    List<SftpPipe> take(int wanted) throws IOException {
      List<SftpPipe> taken = new ArrayList<>();
      int toOpen;
      synchronized (this) {
        while (taken.size() < wanted && !idle.isEmpty()) {
          SftpPipe pipe = idle.poll();
          if (pipe.isOpen()) {
            taken.add(pipe);
          } else {
            pipe.close(); // the server ended it while idle
            open--;
          }
        }
        toOpen = closed ? 0 : Math.max(0, Math.min(wanted - taken.size(), pipeBudget() - open));
        open += toOpen;
      }
      if (toOpen == 0) {
        return taken;
      }
      long opening = System.nanoTime();
      List<Future<SftpPipe>> opens = new ArrayList<>();
      for (int i = 0; i < toOpen; i++) {
        opens.add(opener.submit(() -> SftpPipe.open(session)));
      }
      IOException refused = null;
      for (Future<SftpPipe> f : opens) {
        try {
          taken.add(Futures.await(f));
        } catch (IOException e) {
          refused = e;
          synchronized (this) {
            open--;
          }
        }
      }
      if (refused != null) {
        if (!isOpen()) {
          giveBack(taken, false);
          throw refused;
        }
        synchronized (this) {
          grantedChannels = open + 1;
        }
        log.info("{}: the server refused an SFTP channel ({}); using {} from now on", description,
            refused.getMessage(), grantedChannels);
      }
      log.debug("{}: opened {} SFTP channels of our own in {} ms", description, toOpen,
          (System.nanoTime() - opening) / 1_000_000);
      return taken;
    }

    /**
     * Opens the channels a large batch would use, in the background, so that the first one does
     * not wait for them.
     */
    void warm() {
      try {
        opener.submit(() -> {
          List<SftpPipe> taken = take(pipeBudget());
          giveBack(taken, true);
          return null;
        });
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        // the remote is being closed: nothing to warm
      }
    }

    /** Returns channels after a batch; after a failure they are closed (their state is unknown). */
    synchronized void giveBack(List<SftpPipe> taken, boolean healthy) {
      for (SftpPipe pipe : taken) {
        if (healthy && !closed) {
          idle.add(pipe);
        } else {
          pipe.close();
          open--;
        }
      }
    }

    synchronized void closeAll() {
      closed = true;
      idle.forEach(SftpPipe::close);
      open -= idle.size();
      idle.clear();
    }
  }

  /**
   * Opens the session's {@link SftpPipe} channels now, in the background: this session will carry
   * changes for a while (watch mode), and the first burst of files should not wait for a channel to
   * be opened.
   */
  @Override
  public void keepReady() {
    if (pipeBudget() >= 1) {
      pipes.warm();
    }
  }

  /** How many channels {@code smallFiles} small files go over, given at most {@code channels}. */
  static int channelsFor(int smallFiles, int channels) {
    return Math.max(1, Math.min(channels, smallFiles / SMALL_FILES_PER_CHANNEL));
  }

  /**
   * One large file in chunks. At most {@link #LARGE_FILES_AT_ONCE} at a time: they share one
   * channel, so more would not be faster, only hold more write buffers.
   */
  private boolean uploadChunked(FileTransfer f, TransferListener listener, dev.scpsync.transport.Chunking chunking)
      throws IOException {
    try {
      largeFiles.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted before uploading " + f.entry().path());
    }
    try {
      return new ChunkedSftpUpload(sftp, session, this::remote, writeSize, fsync, this::renameOver, chunking,
          channels, lanes).upload(f, listener);
    } finally {
      largeFiles.release();
    }
  }

  private void uploadOne(FileTransfer f, TransferListener listener) throws IOException {
    String finalPath = remote(f.entry().path());
    String temp = remote(TempNames.beside(f.entry().path()));
    boolean done = false;
    try {
      try (CloseableHandle handle = sftp.open(temp, EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Exclusive))) {
        long sent = f.entry().size() <= writeSize ? writeWhole(f, handle, listener) : writeStreamed(f, temp, handle, listener);
        if (sent != f.entry().size()) {
          throw ChunkedSftpUpload.changed(f, sent + " bytes read, " + f.entry().size() + " expected");
        }
        sftp.setStat(handle, attributesOf(f.entry()));
        if (fsync != null && sent >= FSYNC_THRESHOLD) {
          fsync.fsync(handle);
        }
      }
      renameOver(temp, finalPath);
      done = true;
    } finally {
      if (!done) {
        removeQuietly(temp);
      }
    }
  }

  /**
   * A file of more than one write (and below the chunk threshold) over a channel of our own: its
   * writes framed straight into the channel with a window of them in flight, then mode and mtime,
   * {@code fsync} from 1 MiB, close and rename. Several such files share the channel at once.
   * MINA's async stream, which {@link #writeStreamed} uses, copies the unsent rest of each 255 KiB
   * write again after every 32 KiB packet.
   */
  private void uploadOverPipe(SftpPipe pipe, FileTransfer f, TransferListener listener) throws IOException {
    String temp = remote(TempNames.beside(f.entry().path()));
    byte[] handle = pipe.open(temp, PipelinedUploads.CREATE_EXCLUSIVE);
    boolean done = false;
    try {
      WriteWindow window = new WriteWindow(pipe, handle, Math.max(4, ChunkedSftpUpload.WINDOW_BYTES / writeSize),
          (end, length) -> listener.bytes(length));
      long sent = 0;
      try (InputStream in = Files.newInputStream(f.local())) {
        byte[] buf = new byte[writeSize]; // reused: the channel copies each write before the next
        int n;
        while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
          window.write(sent, buf, n);
          sent += n;
        }
        window.finish();
      } catch (IOException e) {
        try {
          window.abandon(); // the replies still owed, so that the shared channel stays in step
        } catch (IOException lost) {
          e.addSuppressed(lost);
        }
        throw e;
      }
      if (sent != f.entry().size()) {
        throw ChunkedSftpUpload.changed(f, sent + " bytes read, " + f.entry().size() + " expected");
      }
      pipe.call(SftpConstants.SSH_FXP_FSETSTAT, PipelinedUploads.modeAndTimes(handle, f.entry()), "set mode/mtime");
      if (fsync != null && sent >= FSYNC_THRESHOLD) {
        Buffer sync = new ByteArrayBuffer();
        sync.putString(FSYNC_EXTENSION);
        sync.putBytes(handle);
        pipe.call(SftpConstants.SSH_FXP_EXTENDED, sync, "fsync");
      }
      pipe.closeHandle(handle);
      handle = null;
      renameOver(temp, remote(f.entry().path()));
      done = true;
    } finally {
      if (!done) {
        if (handle != null) {
          try {
            pipe.closeHandle(handle);
          } catch (IOException ignored) {
            // the failure that got us here is the one reported
          }
        }
        removeQuietly(temp);
      }
    }
  }

  /** A file that fits in one write request: one round trip, no stream buffers. */
  private long writeWhole(FileTransfer f, CloseableHandle handle, TransferListener listener) throws IOException {
    byte[] data;
    try (InputStream in = Files.newInputStream(f.local())) {
      data = in.readNBytes(writeSize + 1);
    }
    if (data.length > 0 && data.length <= writeSize) {
      sftp.write(handle, 0, data, 0, data.length);
      listener.bytes(data.length);
    }
    return data.length;
  }

  /** A larger file: writes are sent without waiting for each status (MINA keeps a window). */
  private long writeStreamed(FileTransfer f, String temp, CloseableHandle handle, TransferListener listener) throws IOException {
    long sent = 0;
    try (InputStream in = Files.newInputStream(f.local());
        OutputStream out = new SftpOutputStreamAsync((AbstractSftpClient) sftp, writeSize, temp, handle, false)) {
      byte[] buf = new byte[writeSize];
      int n;
      while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
        out.write(buf, 0, n);
        sent += n;
        listener.bytes(n);
      }
    }
    return sent;
  }

  private void renameOver(String from, String to) throws IOException {
    if (posixRename != null) {
      posixRename.posixRename(from, to);
      return;
    }
    // SFTP v3 rename fails when the target exists; without posix-rename there is a short window.
    try {
      sftp.rename(from, to, SftpClient.CopyMode.Overwrite);
    } catch (SftpException e) {
      removeQuietly(to);
      sftp.rename(from, to);
    }
  }

  private void removeQuietly(String path) {
    ChunkedSftpUpload.removeQuietly(sftp, path);
  }

  @Override
  public void download(List<FileTransfer> files, TransferListener listener) throws IOException {
    List<Callable<Problem>> tasks = new ArrayList<>();
    for (FileTransfer f : files) {
      tasks.add(() -> {
        try {
          downloadOne(f, listener);
          listener.done(f);
        } catch (SftpException e) {
          listener.failed(f, e);
        }
        return null;
      });
    }
    runAll(tasks);
  }

  private void downloadOne(FileTransfer f, TransferListener listener) throws IOException {
    long expected = f.entry().size();
    long received = 0;
    try (InputStream in = sftp.read(remote(f.entry().path()), readSize);
        OutputStream out = Files.newOutputStream(f.local(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      byte[] buf = new byte[readSize];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        received += n;
        listener.bytes(n);
      }
    }
    if (received != expected) {
      throw new SftpException(SftpConstants.SSH_FX_FAILURE,
          "size changed on the remote while downloading (" + received + " bytes, listed " + expected + ")");
    }
  }

  private List<Problem> runAll(List<Callable<Problem>> tasks) throws IOException {
    List<Problem> problems = new ArrayList<>();
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(PARALLEL);
    List<Future<Problem>> futures = new ArrayList<>();
    for (Callable<Problem> task : tasks) {
      futures.add(workers.submit(() -> {
        inFlight.acquire();
        try {
          return task.call();
        } finally {
          inFlight.release();
        }
      }));
    }
    IOException failure = null;
    for (Future<Problem> f : futures) {
      try {
        Problem p = Futures.await(f);
        if (p != null) {
          problems.add(p);
        }
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return problems;
  }

  @Override
  public void close() throws IOException {
    workers.shutdownNow();
    pipes.closeAll();
    // A channel still being opened (keepReady's) is let finish before the session ends: cut off
    // while the user's login shell starts sftp-server, the shell dies half way through its rc
    // files (pyenv's rehash, killed there, leaves a lock behind that stalls every later login for
    // a minute). The channels it opens are closed at once (the pool is closed).
    opener.shutdown();
    try {
      if (!opener.awaitTermination(CLOSE_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        opener.shutdownNow();
      }
    } catch (InterruptedException e) {
      opener.shutdownNow();
      Thread.currentThread().interrupt();
    }
    try {
      sftp.close();
    } finally {
      session.close(false);
    }
  }
}
