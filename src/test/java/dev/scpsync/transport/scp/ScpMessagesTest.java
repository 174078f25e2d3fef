package dev.scpsync.transport.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScpMessagesTest {

  private static ByteArrayInputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void statusZeroIsOk() throws Exception {
    ScpMessages.readAck(bytes("\0"));
  }

  @Test
  void statusOneCarriesTheServersTextWithoutControlCharacters() {
    assertThatThrownBy(
            () -> ScpMessages.readAck(bytes("\1scp: /x: Permission denied\u001b[31m\u0007\n")))
        .isInstanceOfSatisfying(
            ScpException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ScpException.Kind.REFUSED);
              assertThat(e.channelUsable()).isTrue();
              assertThat(e.getMessage()).isEqualTo("/x: Permission denied [31m");
            });
  }

  @Test
  void statusTwoIsFatal() {
    assertThatThrownBy(() -> ScpMessages.readAck(bytes("\2scp: protocol error\n")))
        .isInstanceOfSatisfying(
            ScpException.class, e -> assertThat(e.kind()).isEqualTo(ScpException.Kind.FATAL));
  }

  @Test
  void anyOtherByteIsAProtocolErrorShowingWhatCame() {
    // What a login script printing a greeting does to the protocol.
    assertThatThrownBy(() -> ScpMessages.readAck(bytes("Welcome!\nmore")))
        .isInstanceOfSatisfying(
            ScpException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ScpException.Kind.PROTOCOL);
              assertThat(e.getMessage()).endsWith("'Welcome!'");
            });
  }

  @Test
  void endOfStreamInsteadOfAStatusIsAnEofError() {
    assertThatThrownBy(() -> ScpMessages.readAck(bytes(""))).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> ScpMessages.readAck(bytes("\1half a message")))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void timeRecordsCarryMicrosecondsTruncated() {
    Instant mtime = Instant.parse("2021-03-04T05:06:07.123456789Z");
    Instant atime = Instant.ofEpochSecond(1_700_000_000L);
    assertThat(new String(ScpMessages.times(mtime, atime), StandardCharsets.US_ASCII))
        .isEqualTo("T" + mtime.getEpochSecond() + " 123456 1700000000 0\n");
    assertThat(ScpMessages.carriesTime(Instant.ofEpochSecond(-1))).isFalse();
  }

  @Test
  void fileRecordsHaveFourOctalDigits() {
    assertThat(new String(ScpMessages.file(0644, 12, "a b"), StandardCharsets.UTF_8))
        .isEqualTo("C0644 12 a b\n");
    assertThat(new String(ScpMessages.file(04755, 0, "x"), StandardCharsets.UTF_8))
        .isEqualTo("C4755 0 x\n");
  }

  @Test
  void recordsParseStrictly() throws Exception {
    ScpMessages.Record r =
        ScpMessages.parseRecord("C0640 1234 name with spaces".getBytes(StandardCharsets.UTF_8));
    assertThat(r.type()).isEqualTo('C');
    assertThat(r.mode()).isEqualTo(0640);
    assertThat(r.size()).isEqualTo(1234);
    assertThat(new String(r.name(), StandardCharsets.UTF_8)).isEqualTo("name with spaces");
    assertThat(ScpMessages.parseRecord("C0644 3 ".getBytes(StandardCharsets.UTF_8)).name())
        .isEmpty();
    for (String bad :
        new String[] {
          "C644 3 x",
          "C0648 3 x",
          "C0644 -3 x",
          "C0644 3x",
          "X0644 3 x",
          "C0644  x",
          "C0644 99999999999999999999 x"
        }) {
      assertThatThrownBy(() -> ScpMessages.parseRecord(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad)
          .isInstanceOf(ScpException.class);
    }
    ScpMessages.checkTimes("T1700000000 0 1700000000 0".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> ScpMessages.checkTimes("T17 0 x".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(ScpException.class);
  }
}
