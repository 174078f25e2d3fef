package dev.scpsync.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RemoteHashesTest {
  private static final String HEX = "8f28714e8f755ad2791bd6ae5ef9fb06134f04d265b0def788bda07ecd00bd43";

  @Test
  void theDigestIsReadFromEveryToolsOutputFormat() {
    assertThat(RemoteHashes.digestIn(HEX + "  -\n")).isEqualTo(HEX); // sha256sum, shasum
    assertThat(RemoteHashes.digestIn(HEX + " *stdin\n")).isEqualTo(HEX); // openssl dgst -r
    assertThat(RemoteHashes.digestIn("SHA2-256(stdin)= " + HEX + "\n")).isEqualTo(HEX); // openssl 3
    assertThat(RemoteHashes.digestIn("(stdin)= " + HEX.toUpperCase() + "\n")).isEqualTo(HEX); // openssl 1.1
  }

  @Test
  void outputWithoutADigestGivesNone() {
    assertThat(RemoteHashes.digestIn("")).isNull();
    assertThat(RemoteHashes.digestIn("sha256sum: -: Input/output error\n")).isNull();
    assertThat(RemoteHashes.digestIn(HEX + "0  -")).as("65 hex digits are not a SHA-256").isNull();
  }
}
