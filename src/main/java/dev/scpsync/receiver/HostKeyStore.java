package dev.scpsync.receiver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;
import java.util.Set;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the receiver's host key, or creates it on first start, so clients see the same key after
 * every restart.
 *
 * <p>Not MINA's {@code SimpleGeneratorHostKeyProvider}: it deletes and regenerates a key whose
 * algorithm differs from the configured one, falls back to a throwaway key when it cannot read the
 * file (every client would then see a "host key changed" alarm), and writes the file in place with
 * the umask's mode before tightening it. Here an existing key of any type is used as it is, a file
 * that does not load stops the start, and a new key appears atomically, owner-only from the first
 * byte.
 */
final class HostKeyStore {
  private static final Logger LOG = LoggerFactory.getLogger(HostKeyStore.class);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private HostKeyStore() {}

  /** Returns the key pair stored in {@code file}, generating and saving one if there is none. */
  static KeyPair loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      return load(file);
    }
    KeyPair generated = generate();
    try {
      save(generated, file);
    } catch (FileAlreadyExistsException raced) {
      // Another process created the key between our check and our write: its key wins.
      return load(file);
    }
    LOG.info(
        "generated host key {} ({})",
        file,
        KeyUtils.getFingerPrint(BuiltinDigests.sha256, generated.getPublic()));
    return generated;
  }

  private static KeyPair load(Path file) throws IOException {
    warnIfReadableByOthers(file);
    Iterable<KeyPair> keys;
    try (InputStream in = Files.newInputStream(file)) {
      // What FileKeyPairProvider does underneath, minus its lazy iterator that wraps errors.
      keys =
          SecurityUtils.loadKeyPairIdentities(
              null, NamedResource.ofName(file.toString()), in, null);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read host key " + file + ": " + e.getMessage(), e);
    }
    // null when MINA recognizes no key format in the file at all.
    Iterator<KeyPair> it = keys == null ? null : keys.iterator();
    if (it == null || !it.hasNext()) {
      throw new IOException(
          "no private key found in host key file " + file
              + " (expected OpenSSH or PEM format; the file is left as it is)");
    }
    return it.next();
  }

  private static KeyPair generate() throws IOException {
    // ed25519 when the EdDSA provider (BouncyCastle) is present; P-256 is what every SSH client
    // accepts otherwise, and what OpenSSH's own ssh-keygen -A would make next.
    String type =
        SecurityUtils.isEDDSACurveSupported()
            ? KeyPairProvider.SSH_ED25519
            : KeyPairProvider.ECDSA_SHA2_NISTP256;
    try {
      return KeyUtils.generateKeyPair(type, 256);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot generate a " + type + " host key: " + e.getMessage(), e);
    }
  }

  private static void save(KeyPair keyPair, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    String comment = "scpsync-receiver";
    Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp", ownerOnly(dir));
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, comment, null, out);
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot encode host key: " + e.getMessage(), e);
      }
      // Not REPLACE_EXISTING: a key that appeared meanwhile must never be overwritten.
      Files.move(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
    // The .pub beside it is for people (ssh-keygen -lf, known_hosts lines); it is never read back.
    Path pub = file.resolveSibling(file.getFileName() + ".pub");
    try (OutputStream out = Files.newOutputStream(pub)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePublicKey(keyPair.getPublic(), comment, out);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot encode host public key: " + e.getMessage(), e);
    }
  }

  private static FileAttribute<?>[] ownerOnly(Path dir) throws IOException {
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
    }
    return new FileAttribute<?>[0];
  }

  private static void warnIfReadableByOthers(Path file) throws IOException {
    if (!Files.getFileStore(file).supportsFileAttributeView("posix")) {
      return;
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    if (!OWNER_ONLY.containsAll(perms)) {
      LOG.warn(
          "host key {} is accessible by others ({}); it should be mode 0600",
          file,
          PosixFilePermissions.toString(perms));
    }
  }
}
