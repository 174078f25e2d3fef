package dev.scpsync.watch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts this process's inotify watches as the kernel sees them ({@code /proc/self/fdinfo} lists
 * one "inotify wd:" line per watch), so tests check what is really watched, not our bookkeeping.
 */
final class KernelWatches {
  private static final Path FD = Path.of("/proc/self/fd");
  private static final Path FDINFO = Path.of("/proc/self/fdinfo");

  private KernelWatches() {}

  static boolean available() {
    return Files.isDirectory(FDINFO);
  }

  /** Watches held by all inotify instances of this process. */
  static long count() throws IOException {
    long watches = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(FD)) {
      for (Path fd : fds) {
        try {
          if (!Files.readSymbolicLink(fd).toString().equals("anon_inode:inotify")) {
            continue;
          }
          watches +=
              Files.readAllLines(FDINFO.resolve(fd.getFileName())).stream()
                  .filter(line -> line.startsWith("inotify wd:"))
                  .count();
        } catch (IOException e) {
          // closed between listing and reading (this stream's own fd, among others)
        }
      }
    }
    return watches;
  }
}
