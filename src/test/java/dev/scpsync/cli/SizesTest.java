package dev.scpsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizesTest {
  @Test
  void sizesTakeBinarySuffixesInEitherCase() {
    assertThat(Sizes.parse("8M")).isEqualTo(8L << 20);
    assertThat(Sizes.parse("8m")).isEqualTo(8L << 20);
    assertThat(Sizes.parse("8MiB")).isEqualTo(8L << 20);
    assertThat(Sizes.parse("8MB")).isEqualTo(8L << 20);
    assertThat(Sizes.parse("512K")).isEqualTo(512L << 10);
    assertThat(Sizes.parse("1G")).isEqualTo(1L << 30);
    assertThat(Sizes.parse(" 1048576 ")).isEqualTo(1L << 20);
    assertThat(Sizes.parse("100B")).isEqualTo(100);
  }

  @Test
  void whatIsNotASizeIsRefusedWithAnExample() {
    assertThatThrownBy(() -> Sizes.parse("eight")).hasMessageContaining("not a size").hasMessageContaining("8M");
    assertThatThrownBy(() -> Sizes.parse("8X")).hasMessageContaining("not a size");
    assertThatThrownBy(() -> Sizes.parse("-1M")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> Sizes.parse("9999999999999T")).hasMessageContaining("out of range");
  }
}
