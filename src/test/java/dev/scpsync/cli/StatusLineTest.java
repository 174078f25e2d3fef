package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.engine.TargetStatus;
import dev.scpsync.engine.TargetStatus.Health;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusLineTest {
  @Test
  void eachTargetShowsItsHealthPendingInFlightAndLastSync() {
    Instant t = Instant.parse("2026-11-27T21:04:07.800Z");
    String line = StatusLine.render(List.of(
        new TargetStatus("web1:/srv", Health.IN_SYNC, 0, 0, t, null),
        new TargetStatus("web2:/srv", Health.SYNCING, 12, 3, t, null),
        new TargetStatus("web3:/srv", Health.OFFLINE, 4, 0, null, "connection refused")), ZoneOffset.UTC);
    assertThat(line).isEqualTo("web1:/srv in-sync 0 pending, last 21:04:07"
        + " | web2:/srv syncing 12 pending, 3 in flight, last 21:04:07"
        + " | web3:/srv offline 4 pending");
  }
}
