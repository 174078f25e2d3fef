package dev.scpsync.receiver;

import java.io.IOException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.util.Arrays;
import java.util.Map;
import org.apache.sshd.common.file.root.RootedFileSystemProvider;
import org.apache.sshd.common.file.root.RootedPath;

/**
 * MINA's rooted file system, made to hold against symlinks.
 *
 * <p>Why: {@link RootedFileSystemProvider} confines paths by their text only. It drops {@code ..}
 * names that would climb above the root, but the operating system follows a symlink inside the
 * root that points outside, whether the operator left it there or a client built it over SFTP
 * ({@code top -> /}, then {@code up -> top/..}); MINA's own source calls this dangerous. Reading
 * {@code /link/secret} through such a link returns a file from outside the root. So every path
 * MINA resolves, for SFTP and SCP alike, passes {@link #resolveLocalPath}, which follows every
 * link the way the kernel will and refuses the path unless the result is inside the root.
 *
 * <p>Links that point outside are thus inert: what they point to cannot be opened, listed, read or
 * changed. The link itself can still be seen by lstat (so its directory lists) and deleted.
 *
 * <p>The check and the use are two system calls, and Java has no {@code openat}/{@code
 * RESOLVE_BENEATH} to make them one. To keep clients from winning that race by swapping a checked
 * directory for a link, a client can only place links that stay inside wherever they are moved:
 * targets without {@code ..} (absolute ones are rooted by MINA), and a link whose target has
 * {@code ..} may not be renamed, copied or hard-linked to a new place. What remains is a race that
 * needs links the operator put under the root pointing outside or with {@code ..} in their target
 * (moving their directory changes where they lead); do not serve a tree that has such links.
 */
final class ConfinedFileSystemProvider extends RootedFileSystemProvider {

  // Set while an operation that acts on a link itself, not on what it points to (lstat, unlink),
  // resolves its path: then only the directories leading to the last name must stay inside.
  private final ThreadLocal<Boolean> lastNameNotFollowed = ThreadLocal.withInitial(() -> false);

  @Override
  protected Path resolveLocalPath(RootedPath path) {
    // normalize(): MINA keeps "a/.." when it stays below the root, but if "a" is a link the kernel
    // would take ".." from the link's target, not from the root. Without names like ".." there is
    // nothing left to reinterpret.
    Path local = super.resolveLocalPath(path).normalize();
    Path root = path.getFileSystem().getRoot();
    if (local.equals(root)) {
      return local;
    }
    Path leadsTo;
    try {
      leadsTo =
          lastNameNotFollowed.get()
              ? RealPaths.resolve(local.getParent()).resolve(local.getFileName())
              : RealPaths.resolve(local);
    } catch (IOException e) {
      throw new OutsideRootException(path.toString(), "cannot tell where it leads (" + e + ")");
    }
    if (!leadsTo.startsWith(root)) {
      throw new OutsideRootException(path.toString(), "leads outside the served directory");
    }
    return local;
  }

  // Without these, a directory holding a link that points outside could not even be listed
  // (listing lstat()s every entry), nor could such a link be deleted.

  @Override
  public <A extends BasicFileAttributes> A readAttributes(
      Path path, Class<A> type, LinkOption... options) throws IOException {
    return onLink(options, () -> super.readAttributes(path, type, options));
  }

  @Override
  public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
      throws IOException {
    return onLink(options, () -> super.readAttributes(path, attributes, options));
  }

  @Override
  public <V extends FileAttributeView> V getFileAttributeView(
      Path path, Class<V> type, LinkOption... options) {
    return onLink(options, () -> super.getFileAttributeView(path, type, options));
  }

  @Override
  public void setAttribute(Path path, String attribute, Object value, LinkOption... options)
      throws IOException {
    // With NOFOLLOW_LINKS the JDK changes the link's own times and owner, and refuses chmod.
    onLink(
        options,
        () -> {
          super.setAttribute(path, attribute, value, options);
          return null;
        });
  }

  @Override
  public void delete(Path path) throws IOException {
    onLink(
        new LinkOption[] {LinkOption.NOFOLLOW_LINKS},
        () -> {
          super.delete(path);
          return null;
        });
  }

  @Override
  public boolean deleteIfExists(Path path) throws IOException {
    return onLink(
        new LinkOption[] {LinkOption.NOFOLLOW_LINKS}, () -> super.deleteIfExists(path));
  }

  @Override
  public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs)
      throws IOException {
    if (climbs(target)) {
      throw new OutsideRootException(
          link.toString(), "symlink targets with '..' are not allowed here: " + target);
    }
    super.createSymbolicLink(link, target, attrs);
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    requireRelocatable(source);
    super.move(source, target, options);
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) throws IOException {
    if (Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS)) {
      requireRelocatable(source); // copies the link itself, not what it points to
    }
    super.copy(source, target, options);
  }

  @Override
  public void createLink(Path link, Path existing) throws IOException {
    requireRelocatable(existing); // link(2) on a symlink makes a second symlink
    super.createLink(link, existing);
  }

  /** Refuses to give a symlink with a {@code ..} target a new place where it might escape. */
  private void requireRelocatable(Path rooted) throws IOException {
    Path local = unroot(rooted);
    if (Files.isSymbolicLink(local) && climbs(Files.readSymbolicLink(local))) {
      throw new OutsideRootException(
          rooted.toString(), "a symlink whose target contains '..' cannot be moved or linked");
    }
  }

  private <T, E extends Exception> T onLink(LinkOption[] options, Call<T, E> call) throws E {
    if (!Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS)) {
      return call.run();
    }
    boolean outer = lastNameNotFollowed.get();
    lastNameNotFollowed.set(true);
    try {
      return call.run();
    } finally {
      lastNameNotFollowed.set(outer);
    }
  }

  private interface Call<T, E extends Exception> {
    T run() throws E;
  }

  private static boolean climbs(Path linkTarget) {
    for (Path name : linkTarget) {
      if (name.toString().equals("..")) {
        return true;
      }
    }
    return false;
  }
}
