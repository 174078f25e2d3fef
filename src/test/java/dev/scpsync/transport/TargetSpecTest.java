package dev.scpsync.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetSpecTest {
  @Test
  void scpStyle() {
    assertThat(TargetSpec.parse("deploy@web1:/var/www")).isEqualTo(new TargetSpec("deploy", "web1", -1, "/var/www", Protocol.AUTO));
    assertThat(TargetSpec.parse("web1:/srv/")).isEqualTo(new TargetSpec(null, "web1", -1, "/srv", Protocol.AUTO));
    assertThat(TargetSpec.parse("web1:site")).isEqualTo(new TargetSpec(null, "web1", -1, "site", Protocol.AUTO));
    assertThat(TargetSpec.parse("web1:")).isEqualTo(new TargetSpec(null, "web1", -1, "", Protocol.AUTO));
  }

  @Test
  void scpStyleWithPortAndIpv6() {
    assertThat(TargetSpec.parse("u@127.0.0.1:2222:/srv")).isEqualTo(new TargetSpec("u", "127.0.0.1", 2222, "/srv", Protocol.AUTO));
    assertThat(TargetSpec.parse("[::1]:2222:/srv")).isEqualTo(new TargetSpec(null, "::1", 2222, "/srv", Protocol.AUTO));
    assertThat(TargetSpec.parse("[::1]:/srv")).isEqualTo(new TargetSpec(null, "::1", -1, "/srv", Protocol.AUTO));
  }

  @Test
  void uris() {
    assertThat(TargetSpec.parse("sftp://u@h:2222/var/www")).isEqualTo(new TargetSpec("u", "h", 2222, "/var/www", Protocol.SFTP));
    assertThat(TargetSpec.parse("scp://h/srv")).isEqualTo(new TargetSpec(null, "h", -1, "/srv", Protocol.SCP));
    assertThat(TargetSpec.parse("sftp://h/~/site")).isEqualTo(new TargetSpec(null, "h", -1, "site", Protocol.SFTP));
    assertThat(TargetSpec.parse("sftp://[::1]:22/x")).isEqualTo(new TargetSpec(null, "::1", 22, "/x", Protocol.SFTP));
  }

  @Test
  void localPathsAreNotRemote() {
    assertThat(TargetSpec.looksRemote("./a:b")).isFalse();
    assertThat(TargetSpec.looksRemote("/abs/x:y")).isFalse();
    assertThat(TargetSpec.looksRemote("dir/file")).isFalse();
    assertThat(TargetSpec.looksRemote("host:/x")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "sftp://", "ftp://h/x", "host:99999:/x", "u@-oProxyCommand=x:/y", "just-a-name", "a\nb:/x"})
  void malformedSpecsAreRejectedWithTheReason(String spec) {
    assertThatThrownBy(() -> TargetSpec.parse(spec)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target");
  }
}
