package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code scpsync demo}, bounded: every step, including the live watch with its dashboard, ends in sync. */
class DemoCommandTest {
  @Test
  void theDemoRunsEveryStepAndTheLiveWatchEndsInSync() {
    CliRun run = CliRun.of("demo", "--duration", "5s", "--http", "127.0.0.1:0");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .contains("remote matches local: yes", "pulled matches local: yes")
        .containsPattern("dashboard: http://127\\.0\\.0\\.1:\\d+/")
        .containsPattern("synced \\d+ files")
        .contains("remote matches local after the live changes: yes")
        .contains("demo finished: all in sync");
  }
}
