package dev.scpsync.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The advice in warnings, from a fake /proc/sys/fs/inotify. */
class InotifyLimitsTest {
  @TempDir Path proc;

  @Test
  void adviceNamesTheCurrentLimitAndAClearlyHigherOne() throws IOException {
    Files.writeString(proc.resolve("max_user_watches"), "8192\n");
    Files.writeString(proc.resolve("max_queued_events"), "1000000\n");
    InotifyLimits limits = new InotifyLimits(proc);

    assertThat(limits.watchLimitAdvice())
        .isEqualTo(
            "fs.inotify.max_user_watches = 8192; raise it with:"
                + " sudo sysctl fs.inotify.max_user_watches=524288 (persist it in /etc/sysctl.d/)");
    assertThat(limits.queueAdvice()).contains("= 1000000", "max_queued_events=4000000");
  }

  @Test
  void readsTheRealProcFilesWhoseReportedSizeIsZero() throws Exception {
    Path real = InotifyLimits.PROC.resolve("max_queued_events");
    assumeTrue(Files.exists(real), "not Linux");
    Process cat = new ProcessBuilder("cat", real.toString()).start();
    long expected = Long.parseLong(new String(cat.getInputStream().readAllBytes()).trim());
    assertThat(cat.waitFor()).isZero();

    // Files.readString returns "1" for "16384\n" here: procfs files claim to be empty.
    assertThat(new InotifyLimits(InotifyLimits.PROC).maxQueuedEvents()).hasValue(expected);
  }

  @Test
  void withoutProcTheAdviceIsGeneric() {
    InotifyLimits limits = new InotifyLimits(proc.resolve("absent"));
    assertThat(limits.maxUserWatches()).isEmpty();
    assertThat(limits.watchLimitAdvice())
        .isEqualTo("the operating system's limit on watched directories was reached");
  }

  @Test
  void recognisesTheJdksWatchLimitMessage() {
    assertThat(InotifyLimits.isWatchLimit(new IOException("User limit of inotify watches reached")))
        .isTrue();
    assertThat(InotifyLimits.isWatchLimit(new IOException("Permission denied"))).isFalse();
    assertThat(InotifyLimits.isWatchLimit(new IOException())).isFalse();
  }
}
