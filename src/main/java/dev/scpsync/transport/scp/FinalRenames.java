package dev.scpsync.transport.scp;

import static dev.scpsync.transport.scp.ShellQuoting.quote;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.session.ClientSession;

/**
 * The last step of an SCP upload batch, as one script: each complete temporary file gets its exact
 * mode and is renamed over its final path ({@code mv -f}, a rename(2) within one directory, so a
 * reader sees the old file or the new one, never a partial one); temporary files of failed
 * uploads are removed.
 *
 * <p>Modes: the sink ran without {@code -p}, so a new file has {@code mode & ~umask}. chmod runs
 * only where that differs from the wanted mode (group/other write bits under the usual umask) or
 * for setuid/setgid/sticky bits, which a write may have cleared — one fork per file saved in the
 * common case. The shell reads the umask once; POSIX arithmetic does the comparison.
 *
 * <p>A final path that is a directory (or a symlink to one) is refused: {@code mv} would move the
 * file into it.
 */
final class FinalRenames {
  private static final String FUNCTIONS = """
      um=$(umask)
      c() {
        if [ -d "$3" ]; then echo "$3: is a directory"; rm -f -- "$2"; return 1; fi
        if [ -n "$4" ]; then touch -c -m -d "@$4" -- "$2" || { rm -f -- "$2"; return 1; }; fi
        if [ $((0$1 & ~0$um)) -ne $((0$1)) ] || [ $((0$1 & 07000)) -ne 0 ]; then
          chmod -- "$1" "$2" || { rm -f -- "$2"; return 1; }
        fi
        mv -f -- "$2" "$3" || { rm -f -- "$2"; return 1; }
      }
      """;

  private final ShellBatch batch = new ShellBatch(FUNCTIONS);
  private final List<Integer> commitIds = new ArrayList<>();
  private final RemotePaths paths;

  FinalRenames(RemotePaths paths) {
    this.paths = paths;
  }

  /** A complete temporary file to put in place. */
  void commit(Upload upload) {
    var entry = upload.file().entry();
    // Times before 1970 cannot travel in a T record; touch sets them instead (GNU touch).
    String touch = ScpMessages.carriesTime(entry.mtime()) ? "''" : quote(epochSeconds(entry.mtime()));
    commitIds.add(batch.add("c " + String.format("%04o", entry.mode()) + " " + quote(paths.of(upload.tempPath()))
        + " " + quote(paths.of(entry.path())) + " " + touch));
  }

  /** A temporary file that may exist and must go. */
  void discard(Upload upload) {
    batch.add("rm -f -- " + quote(paths.of(upload.tempPath())));
  }

  boolean isEmpty() {
    return batch.size() == 0;
  }

  /**
   * Runs the script. Returns, for each committed upload in order, null when it is in place, else
   * what went wrong.
   */
  List<String> run(ClientSession session, Duration idle) throws IOException {
    List<String> all = batch.run(session, idle);
    return commitIds.stream().map(all::get).toList();
  }

  /** Seconds since the epoch with nine decimals, as touch -d @... reads them. */
  static String epochSeconds(Instant t) {
    return BigDecimal.valueOf(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano(), 9)).toPlainString();
  }
}
