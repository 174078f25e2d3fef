package dev.scpsync.receiver;

/**
 * A client path that would lead outside the receiver's root, through {@code ..}, a symlink, or a
 * symlink target it tried to create.
 *
 * <p>A {@link SecurityException} because that is the unchecked "access denied" that the {@code
 * java.nio.file} contract already allows every file operation to throw, and because MINA calls our
 * path resolution from methods that declare no checked exception. The message holds the path as
 * the client named it, never the real one on this host.
 */
final class OutsideRootException extends SecurityException {
  OutsideRootException(String clientPath, String reason) {
    super(clientPath + ": " + reason);
  }
}
