package dev.scpsync.transport.ssh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSessionCreator;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks server host keys against known_hosts files the way OpenSSH does with {@code
 * StrictHostKeyChecking=yes} (or {@code accept-new}).
 *
 * <p>Written here rather than using MINA's {@code KnownHostsServerKeyVerifier} because we need the
 * exact reason (unknown, changed, revoked, different key type) as a user-facing message, and we
 * never want an accept-all delegate to be reachable. A rejection is remembered per session so that
 * the connector can report it instead of MINA's generic "server key did not validate".
 */
final class KnownHostsVerifier implements ServerKeyVerifier {
  private static final Logger log = LoggerFactory.getLogger(KnownHostsVerifier.class);

  private final List<Path> files;
  private final boolean acceptNew;
  private final Map<ClientSession, HostKeyRejected> rejections = new ConcurrentHashMap<>();

  KnownHostsVerifier(List<Path> files, boolean acceptNew) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("at least one known_hosts file is needed");
    }
    this.files = List.copyOf(files);
    this.acceptNew = acceptNew;
  }

  /** The reason a session's host key was refused, removing it; {@code null} if it was not. */
  HostKeyRejected takeRejection(ClientSession session) {
    return rejections.remove(session);
  }

  @Override
  public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
    HostAndPort where = hostAndPort(session, remoteAddress);
    try {
      HostKeyRejected rejected = check(where, serverKey);
      if (rejected == null) {
        return true;
      }
      rejections.put(session, rejected);
      return false;
    } catch (IOException | RuntimeException e) {
      rejections.put(session, new HostKeyRejected("cannot read known_hosts to verify " + where.display() + ": " + e.getMessage()));
      return false;
    }
  }

  private HostKeyRejected check(HostAndPort where, PublicKey serverKey) throws IOException {
    String offeredType = KeyUtils.getKeyType(serverKey);
    String fingerprint = KeyUtils.getFingerPrint(serverKey);
    // As OpenSSH decides: every line is read before deciding, because an @revoked line refuses the
    // key wherever it stands, and one line with the offered key accepts it even when other lines
    // (a key rotation) hold an older key of the same type.
    boolean listed = false;
    HostKeyRejected changed = null;
    List<String> otherTypes = new ArrayList<>();
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        continue;
      }
      List<KnownHostEntry> entries = KnownHostEntry.readKnownHostEntries(file);
      for (KnownHostEntry entry : entries) {
        if (!entry.isHostMatch(where.host(), where.port())) {
          continue;
        }
        String marker = entry.getMarker();
        if ("cert-authority".equals(marker)) {
          continue; // host certificates are not supported; such lines neither accept nor refuse
        }
        PublicKey known = resolve(entry.getKeyEntry());
        if (known == null) {
          continue;
        }
        boolean same = KeyUtils.compareKeys(known, serverKey);
        if ("revoked".equals(marker)) {
          if (same) {
            return new HostKeyRejected("host key " + fingerprint + " of " + where.display() + " is marked @revoked in " + file + "; refusing to connect");
          }
          continue;
        }
        if (same) {
          listed = true;
          continue;
        }
        String knownType = KeyUtils.getKeyType(known);
        if (knownType.equals(offeredType)) {
          if (changed == null) {
            changed = new HostKeyRejected(
                "HOST KEY OF " + where.display() + " HAS CHANGED (possible man-in-the-middle attack): "
                    + "server offered " + offeredType + " " + fingerprint + ", " + file + " has "
                    + KeyUtils.getFingerPrint(known) + "; if the change is legitimate, remove the old line with: "
                    + "ssh-keygen -R '" + where.knownHostsName() + "' -f " + file);
          }
          continue;
        }
        otherTypes.add(knownType + " in " + file);
      }
    }
    if (listed) {
      return null;
    }
    if (changed != null) {
      return changed;
    }
    if (!otherTypes.isEmpty()) {
      return new HostKeyRejected(
          "host " + where.display() + " offered a " + offeredType + " key (" + fingerprint + ") but known_hosts only has "
              + String.join(", ", otherTypes) + "; refusing; verify the new key and add it to known_hosts");
    }
    if (acceptNew) {
      append(where, serverKey);
      log.warn("Permanently added {} ({} {}) to {}", where.display(), offeredType, fingerprint, files.get(0));
      return null;
    }
    return new HostKeyRejected(
        "host key of " + where.display() + " is not known: " + offeredType + " " + fingerprint
            + "; verify it, then run again with --accept-new (records it in " + files.get(0)
            + ") or add it yourself: ssh-keyscan -p " + where.port() + " " + where.host() + " >> " + files.get(0));
  }

  private static PublicKey resolve(AuthorizedKeyEntry keyEntry) {
    if (keyEntry == null) {
      return null;
    }
    try {
      return keyEntry.resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING);
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      return null; // a line we cannot decode never matches; OpenSSH skips it the same way
    }
  }

  private synchronized void append(HostAndPort where, PublicKey key) throws IOException {
    Path file = files.get(0);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      Files.createDirectories(parent);
    }
    StringBuilder line = new StringBuilder(where.knownHostsName()).append(' ');
    PublicKeyEntry.appendPublicKeyEntry(line, key);
    boolean needsNewline = Files.isRegularFile(file) && Files.size(file) > 0 && !endsWithNewline(file);
    Files.writeString(file, (needsNewline ? "\n" : "") + line + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static boolean endsWithNewline(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    return all.length == 0 || all[all.length - 1] == '\n';
  }

  private static HostAndPort hostAndPort(ClientSession session, SocketAddress remoteAddress) {
    // Behind a ProxyJump the session's socket goes to a local tunnel entrance; MINA records the
    // host and port the tunnel leads to, which is what known_hosts names (as OpenSSH checks it).
    SshdSocketAddress jumpTarget = session.getAttribute(ClientSessionCreator.TARGET_SERVER);
    SocketAddress connect = session.getConnectAddress();
    SocketAddress address = jumpTarget != null ? jumpTarget : connect != null ? connect : remoteAddress;
    if (address instanceof SshdSocketAddress sshd) {
      return new HostAndPort(sshd.getHostName(), sshd.getPort());
    }
    if (address instanceof InetSocketAddress inet) {
      return new HostAndPort(inet.getHostString(), inet.getPort());
    }
    return new HostAndPort(String.valueOf(address), 22);
  }

  /** A host as known_hosts names it. */
  record HostAndPort(String host, int port) {
    String knownHostsName() {
      return port == 22 ? host : "[" + host + "]:" + port;
    }

    String display() {
      return port == 22 ? host : host + ":" + port;
    }
  }
}
