package dev.scpsync.transport.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Private keys from files. Keys the user named explicitly must load (an unreadable one is an
 * error); OpenSSH's default files are tried only when they exist and are skipped, with a debug
 * line, when they cannot be decoded.
 */
final class KeyFileIdentities implements KeyIdentityProvider {
  private static final Logger log = LoggerFactory.getLogger(KeyFileIdentities.class);

  private final List<Path> explicit;
  private final List<Path> defaults;
  private final FilePasswordProvider passphrases;

  KeyFileIdentities(List<Path> explicit, List<Path> defaults, FilePasswordProvider passphrases) {
    this.explicit = List.copyOf(explicit);
    this.defaults = List.copyOf(defaults);
    this.passphrases = passphrases;
  }

  @Override
  public Iterable<KeyPair> loadKeys(SessionContext session) throws IOException, GeneralSecurityException {
    List<KeyPair> keys = new ArrayList<>();
    for (Path file : explicit) {
      if (!Files.isReadable(file)) {
        throw new KeyFileException("identity file " + file + " does not exist or is not readable", null);
      }
      keys.addAll(load(session, file));
    }
    for (Path file : defaults) {
      if (explicit.contains(file) || !Files.isReadable(file)) {
        continue;
      }
      try {
        keys.addAll(load(session, file));
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        log.debug("skipping default key {}: {}", file, e.getMessage());
      }
    }
    return keys;
  }

  private List<KeyPair> load(SessionContext session, Path file) throws IOException, GeneralSecurityException {
    List<KeyPair> keys = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(session, NamedResource.ofName(file.toString()), in, passphrases);
      if (loaded != null) {
        loaded.forEach(keys::add);
      }
    }
    return keys;
  }
}
