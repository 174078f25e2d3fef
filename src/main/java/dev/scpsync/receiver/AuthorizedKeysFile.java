package dev.scpsync.receiver;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authorized-keys file, minus keys whose restrictions the receiver cannot honour.
 *
 * <p>Why: MINA enforces some OpenSSH key options ({@code from}, {@code expiry-time}, {@code
 * principals}, {@code cert-authority}) and silently ignores the rest. A key that OpenSSH would let
 * run one forced {@code command="..."} only (a backup script, say) would get full SFTP and SCP
 * access here. Keys with such options are left out, with a warning naming the options. Options
 * that only forbid what the receiver never offers (forwarding, pty, rc) are fine as they are.
 */
final class AuthorizedKeysFile extends AuthorizedKeysAuthenticator {
  private static final Logger LOG = LoggerFactory.getLogger(AuthorizedKeysFile.class);

  private static final Set<String> ALREADY_ENFORCED =
      Set.of(
          "from",
          "expiry-time",
          "principals",
          "cert-authority",
          "restrict",
          "no-agent-forwarding",
          "no-port-forwarding",
          "no-pty",
          "no-user-rc",
          "no-x11-forwarding");

  AuthorizedKeysFile(Path file) {
    super(file);
  }

  @Override
  protected Collection<AuthorizedKeyEntry> reloadAuthorizedKeys(
      Path path, String username, ServerSession session)
      throws IOException, GeneralSecurityException {
    List<AuthorizedKeyEntry> usable = new ArrayList<>();
    for (AuthorizedKeyEntry entry : super.reloadAuthorizedKeys(path, username, session)) {
      Set<String> unenforced = new TreeSet<>();
      for (String option : entry.getLoginOptions().keySet()) {
        if (!ALREADY_ENFORCED.contains(option.toLowerCase(Locale.ROOT))) {
          unenforced.add(option);
        }
      }
      if (unenforced.isEmpty()) {
        usable.add(entry);
      } else {
        LOG.warn(
            "{}: ignoring the {} key \"{}\": the receiver cannot enforce its options {}",
            path,
            entry.getKeyType(),
            SessionAuditLog.printable(entry.getComment()),
            unenforced);
      }
    }
    return usable;
  }
}
