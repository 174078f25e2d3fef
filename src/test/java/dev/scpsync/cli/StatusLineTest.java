package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.engine.TargetStatus;
import dev.scpsync.engine.TargetStatus.Health;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusLineTest {
  private static TargetStatus status(String target, Health health, int pending, Long pendingBytes, int inFlight,
      Instant last) {
    return new TargetStatus(target, health, pending, pendingBytes, inFlight, java.time.Duration.ZERO, last, null, null,
        0, 0, 0, 0);
  }

  @Test
  void eachTargetShowsItsHealthPendingInFlightBytesToSendAndLastSync() {
    Instant t = Instant.parse("2026-11-27T21:04:07.800Z");
    String line = StatusLine.render(List.of(
        status("web1:/srv", Health.IN_SYNC, 0, 0L, 0, t),
        status("web2:/srv", Health.SYNCING, 12, 3_565_158L, 3, t),
        status("web3:/srv", Health.OFFLINE, 4, null, 0, null)), ZoneOffset.UTC);
    assertThat(line).isEqualTo("web1:/srv in-sync 0 pending, last 21:04:07"
        + " | web2:/srv syncing 12 pending, 3 in flight, 3.4 MiB to send, last 21:04:07"
        + " | web3:/srv offline 4 pending");
  }
}
