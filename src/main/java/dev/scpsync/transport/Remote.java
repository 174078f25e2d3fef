package dev.scpsync.transport;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * A directory tree on another host, reached over one SSH session. Every remote operation of
 * scpsync goes through this interface; one contract test runs it against each server kind.
 *
 * <p>Paths given to and returned by a {@code Remote} are relative to its root ({@link
 * dev.scpsync.tree.Entry#path()} form). Implementations quote or encode them for the wire.
 *
 * <p>Errors: a method throws {@link IOException} when the session or channel is lost or the
 * operation as a whole cannot proceed; failures of single paths inside a batch are returned as
 * {@link Problem}s (or reported to the {@link TransferListener}) and the rest of the batch goes on.
 *
 * <p>Thread-safety: an instance is used by one thread at a time; implementations may use several
 * channels of their session internally (up to the {@code parallel} they were opened with), and
 * then call a {@link TransferListener} from several threads at once.
 */
public interface Remote extends Closeable {

  /** Where this remote is, for messages: {@code sftp://user@host:port/path}. */
  String describe();

  /** The protocol this instance speaks. */
  Protocol protocol();

  /** Whether symlinks can be created and listed as such. */
  boolean supportsSymlinks();

  /** Lists the whole tree below the root. The root itself is not among the entries. */
  RemoteListing list() throws IOException;

  /**
   * Creates the root directory (and missing parents) if it does not exist.
   *
   * @throws IOException if the root exists and is not a directory, or cannot be created
   */
  void createRoot() throws IOException;

  /** Creates directories, parents before children, with their modes. */
  List<Problem> mkdirs(List<Entry> directories) throws IOException;

  /**
   * Uploads files. Each goes to a temporary name in its destination directory, gets its mode and
   * mtime, and is then renamed over the final path: the final path never holds partial content.
   */
  void upload(List<FileTransfer> files, TransferListener listener) throws IOException;

  /**
   * Uploads files like {@link #upload(List, TransferListener)}; files of at least one chunk go in
   * chunks recorded in the chunking's journal, resume an interrupted upload of the same source, and
   * are verified with SHA-256 on the remote where it can hash ({@link TransferListener#unverified}
   * where it cannot). A content mismatch is re-sent once, then reported as the file's failure.
   * Implementations that cannot chunk ignore the chunking.
   */
  default void upload(List<FileTransfer> files, TransferListener listener, Chunking chunking) throws IOException {
    upload(files, listener);
  }

  /**
   * Downloads files, each into {@link FileTransfer#local()} exactly (the caller picks a temporary
   * name and renames it afterwards). Nothing a server sends may make this write anywhere else.
   */
  void download(List<FileTransfer> files, TransferListener listener) throws IOException;

  /** Creates or replaces symlinks. Only called when {@link #supportsSymlinks()}. */
  List<Problem> symlinks(List<Entry> links) throws IOException;

  /** Sets permission bits and mtime of existing paths (files and directories). */
  List<Problem> setAttributes(List<Entry> entries) throws IOException;

  /**
   * Renames paths (a directory with everything below it), in map order. The targets must not
   * exist; their parent directories must.
   */
  List<Problem> rename(java.util.SequencedMap<String, String> fromTo) throws IOException;

  /**
   * SHA-256 of remote files computed on the server, for {@code --checksum}; empty when the server
   * cannot compute them (no exec, no {@code sha256sum}).
   */
  default java.util.Optional<java.util.Map<String, String>> sha256(List<String> paths) throws IOException {
    return java.util.Optional.empty();
  }

  /**
   * Whether the session still looks usable: false once the server closed it, the connection
   * broke, or keepalives went unanswered. Cheap (no round trip), so an idle watch can ask it often
   * and notice a lost target without waiting for the next change.
   */
  boolean isOpen();

  /**
   * This session will carry changes for a long time (watch mode): open now, in the background,
   * what later batches would otherwise open on their way (SFTP: the channels for streams of small
   * files). Nothing by default.
   */
  default void keepReady() {}

  /** Deletes paths; a directory is deleted with everything below it. */
  List<Problem> delete(List<Entry> entries) throws IOException;

  @Override
  void close() throws IOException;
}
