package dev.scpsync.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResumeDecisionTest {
  private static final Instant MTIME = Instant.parse("2025-02-03T04:05:06.123456789Z");
  private static final long CHUNK = 8L << 20;
  private static final long SIZE = 100L << 20;

  private static PartialUpload journaled(long chunks) {
    return new PartialUpload("d/big.iso", ".big.iso.scpsync-0a1b2c3d.tmp", SIZE, MTIME, "ab", CHUNK, chunks);
  }

  @Test
  void nothingJournaledStartsFresh() {
    assertThat(ResumeDecision.of(null, SIZE, MTIME, CHUNK)).isInstanceOf(ResumeDecision.Fresh.class);
  }

  @Test
  void anUnchangedSourceResumesAfterItsConfirmedChunks() {
    var d = ResumeDecision.of(journaled(5), SIZE, MTIME, CHUNK);
    assertThat(d).isEqualTo(new ResumeDecision.Resume(journaled(5)));
    assertThat(journaled(5).confirmedBytes()).isEqualTo(5 * CHUNK);
    assertThat(journaled(5).tempPath()).isEqualTo("d/.big.iso.scpsync-0a1b2c3d.tmp");
  }

  @Test
  void aSourceWithAnotherSizeOrMtimeStartsOverSayingWhy() {
    var bigger = ResumeDecision.of(journaled(5), SIZE + 1, MTIME, CHUNK);
    var touched = ResumeDecision.of(journaled(5), SIZE, MTIME.plusNanos(1), CHUNK);
    assertThat(bigger).isInstanceOfSatisfying(ResumeDecision.StartOver.class,
        s -> assertThat(s.reason()).contains("source changed"));
    assertThat(touched).isInstanceOf(ResumeDecision.StartOver.class);
  }

  @Test
  void anotherChunkSizeOrNothingConfirmedStartsOver() {
    assertThat(ResumeDecision.of(journaled(5), SIZE, MTIME, CHUNK * 2)).isInstanceOfSatisfying(
        ResumeDecision.StartOver.class, s -> assertThat(s.reason()).contains("chunk size"));
    assertThat(ResumeDecision.of(journaled(0), SIZE, MTIME, CHUNK)).isInstanceOf(ResumeDecision.StartOver.class);
  }

  @Test
  void theLastChunkMayBeShortAndIsCountedOnce() {
    assertThat(Chunking.chunks(SIZE, CHUNK)).isEqualTo(13);
    assertThat(Chunking.chunks(CHUNK, CHUNK)).isEqualTo(1);
    assertThat(Chunking.chunks(0, CHUNK)).isZero();
    assertThat(journaled(13).confirmedBytes()).isEqualTo(SIZE);
  }

  @Test
  void stagingDirectoriesAreNamedAfterTheirTempFileAndRecognisable() {
    String staging = TempNames.stagingFor("d/.big.iso.scpsync-0a1b2c3d.tmp");
    assertThat(staging).isEqualTo("d/.big.iso.scpsync-0a1b2c3d.parts");
    assertThat(TempNames.isStaging(".big.iso.scpsync-0a1b2c3d.parts")).isTrue();
    assertThat(TempNames.isStaging("big.iso.parts")).isFalse();
    assertThat(TempNames.isTemp(".big.iso.scpsync-0a1b2c3d.parts")).isFalse();
  }
}
