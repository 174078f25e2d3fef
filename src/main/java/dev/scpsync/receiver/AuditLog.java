package dev.scpsync.receiver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.nio.file.attribute.PosixFilePermission;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.scp.common.ScpTransferEventListener;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who changed what, and when: one JSON line per session event ({@code session.opened}, {@code
 * session.closed}, {@code auth.refused}: user, client address, key fingerprint) and per completed
 * file operation, over SFTP or SCP ({@code write} with the bytes written, {@code rename}, {@code
 * delete}, {@code mkdir}, {@code setstat}, {@code symlink}: paths as the client sees them, below
 * the served root). Failed operations are logged too, with {@code error}.
 *
 * <p>Lines go to the audit file when one is configured (appended, flushed per line), else to the
 * {@code scpsync.audit} logger at INFO. Names come from clients: they are JSON-escaped, never
 * interpreted. Thread-safe.
 */
final class AuditLog implements SftpEventListener, ScpTransferEventListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("scpsync.audit");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BufferedWriter file;
  /** Bytes written per open SFTP handle, reported once when it is closed. */
  private final Map<String, AtomicLong> writes = new ConcurrentHashMap<>();

  AuditLog(Path file) throws IOException {
    this.file = file == null ? null : Files.newBufferedWriter(file, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  /** A session authenticated ({@code opened}) or ended ({@code closed}). */
  void session(String what, Session session, String keyFingerprint) {
    ObjectNode o = line("session." + what, session);
    o.put("key", keyFingerprint);
    o.put("authenticated", session.isAuthenticated());
    write(o);
  }

  /** A key was offered and refused. */
  void refused(Session session, String user, String keyFingerprint) {
    ObjectNode o = line("auth.refused", session);
    o.put("user", SessionAuditLog.printable(user));
    o.put("key", keyFingerprint);
    write(o);
  }

  /** An exec request that is not scp was refused. */
  void refusedCommand(Session session, String command) {
    ObjectNode o = line("exec.refused", session);
    o.put("command", SessionAuditLog.printable(command));
    write(o);
  }

  @Override
  public void written(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
      int dataOffset, int dataLen, Throwable thrown) {
    if (thrown == null) {
      writes.computeIfAbsent(remoteHandle, h -> new AtomicLong()).addAndGet(dataLen);
    }
  }

  @Override
  public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown) {
    AtomicLong bytes = writes.remove(remoteHandle);
    if (bytes != null) {
      ObjectNode o = op(session, "write", localHandle.getFile(), thrown);
      o.put("bytes", bytes.get());
      o.put("protocol", "sftp");
      write(o);
    }
  }

  @Override
  public void moved(ServerSession session, Path srcPath, Path dstPath, Collection<CopyOption> opts, Throwable thrown) {
    ObjectNode o = op(session, "rename", dstPath, thrown);
    o.put("from", srcPath.toString());
    write(o);
  }

  @Override
  public void removed(ServerSession session, Path path, boolean isDirectory, Throwable thrown) {
    write(op(session, "delete", path, thrown));
  }

  @Override
  public void created(ServerSession session, Path path, Map<String, ?> attrs, Throwable thrown) {
    write(op(session, "mkdir", path, thrown));
  }

  @Override
  public void modifiedAttributes(ServerSession session, Path path, Map<String, ?> attrs, Throwable thrown) {
    ObjectNode o = op(session, "setstat", path, thrown);
    o.put("attributes", String.join(",", new java.util.TreeSet<>(attrs.keySet())));
    write(o);
  }

  @Override
  public void linked(ServerSession session, Path source, Path target, boolean symLink, Throwable thrown) {
    ObjectNode o = op(session, symLink ? "symlink" : "link", source, thrown);
    o.put("target", target.toString());
    write(o);
  }

  @Override
  public void endFileEvent(Session session, FileOperation op, Path file, long length, Set<PosixFilePermission> perms,
      Throwable thrown) {
    if (op == FileOperation.RECEIVE) {
      ObjectNode o = op(session, "write", file, thrown);
      o.put("bytes", length);
      o.put("protocol", "scp");
      write(o);
    }
  }

  @Override
  public void endFolderEvent(Session session, FileOperation op, Path folder, Set<PosixFilePermission> perms,
      Throwable thrown) {
    if (op == FileOperation.RECEIVE) {
      ObjectNode o = op(session, "mkdir", folder, thrown);
      o.put("protocol", "scp");
      write(o);
    }
  }

  private ObjectNode op(Session session, String what, Path path, Throwable thrown) {
    ObjectNode o = line(what, session);
    o.put("path", path == null ? null : SessionAuditLog.printable(path.toString()));
    if (thrown != null) {
      o.put("error", SessionAuditLog.printable(String.valueOf(thrown.getMessage())));
    }
    return o;
  }

  private static ObjectNode line(String event, Session session) {
    ObjectNode o = JSON.createObjectNode();
    o.put("ts", Instant.now().toString());
    o.put("event", event);
    o.put("user", SessionAuditLog.printable(session.getUsername()));
    o.put("remote", String.valueOf(session.getRemoteAddress()));
    return o;
  }

  private void write(ObjectNode o) {
    if (file == null) {
      LOG.info(o.toString());
      return;
    }
    synchronized (file) {
      try {
        file.write(o.toString());
        file.newLine();
        file.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the audit log: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (file != null) {
      synchronized (file) {
        file.close();
      }
    }
  }
}
