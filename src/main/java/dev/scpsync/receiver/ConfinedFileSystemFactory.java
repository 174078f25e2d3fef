package dev.scpsync.receiver;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.Map;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.session.SessionContext;

/**
 * Gives every session the served directory as its whole file system, {@code /} being the root,
 * whatever the user name. SFTP and SCP both see files only through it.
 */
final class ConfinedFileSystemFactory extends VirtualFileSystemFactory {
  private final Path realRoot;

  /** @param realRoot the served directory, already resolved with {@link Path#toRealPath} */
  ConfinedFileSystemFactory(Path realRoot) {
    super(realRoot);
    this.realRoot = realRoot;
  }

  @Override
  public FileSystem createFileSystem(SessionContext session) throws IOException {
    // Same as VirtualFileSystemFactory, with our provider in place of MINA's (see its javadoc).
    // One provider per session, because a provider refuses a second file system on the same root.
    return new ConfinedFileSystemProvider().newFileSystem(realRoot, Map.of());
  }
}
