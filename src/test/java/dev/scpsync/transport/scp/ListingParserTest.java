package dev.scpsync.transport.scp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListingParserTest {

  private static final class Listing {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Listing(String header) {
      out.writeBytes((header + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    Listing fields(Object... fields) {
      for (Object f : fields) {
        out.writeBytes(f instanceof byte[] b ? b : f.toString().getBytes(StandardCharsets.UTF_8));
        out.write(0);
      }
      return this;
    }

    Snapshot parse() throws Exception {
      return ListingParser.parse(new ByteArrayInputStream(out.toByteArray()), List.of());
    }
  }

  @Test
  void gnuRecordsBecomeEntriesWithNanosecondTimes() throws Exception {
    Snapshot s =
        new Listing("gnu")
            .fields("d", "755", "4096", "1700000000.1234567890", "", "dir")
            .fields("f", "4644", "12", "1700000001.0000000010", "", "dir/new\nline")
            .fields("l", "777", "3", "1700000002.5000000000", "../x", "dir/link")
            .fields("p", "644", "0", "1700000003.0000000000", "", "fifo")
            .parse();
    assertThat(s.get("dir"))
        .isEqualTo(
            Entry.directory("dir", Instant.ofEpochSecond(1_700_000_000L, 123_456_789), 0755));
    assertThat(s.get("dir/new\nline"))
        .isEqualTo(
            Entry.file("dir/new\nline", 12, Instant.ofEpochSecond(1_700_000_001L, 1), 04644));
    assertThat(s.get("dir/link").linkTarget()).isEqualTo("../x");
    assertThat(s.contains("fifo")).isFalse();
    assertThat(s.problems()).singleElement().satisfies(p -> assertThat(p.path()).isEqualTo("fifo"));
  }

  @Test
  void namesThatAreNotUtf8AreProblemsAndTheirSubtreesAreLeftOut() throws Exception {
    byte[] bad = {'b', (byte) 0xff, 'd'};
    byte[] below = {'b', (byte) 0xff, 'd', '/', 'x'};
    Snapshot s =
        new Listing("gnu")
            .fields("d", "755", "0", "1", "", bad)
            .fields("f", "644", "1", "1", "", below)
            .fields("f", "644", "1", "1", "", "good")
            .parse();
    assertThat(s.asMap().keySet()).containsExactly("good");
    assertThat(s.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("not valid UTF-8"));
  }

  @Test
  void posixRecordsCarryTypeInTheRawMode() throws Exception {
    Snapshot s =
        new Listing("posix")
            .fields("41ed 4096 1700000000", "", "d")
            .fields("81a4 5 1700000001", "", "d/f")
            .fields("a1ff 1 1700000002", "t", "d/l")
            .parse();
    assertThat(s.get("d").isDirectory()).isTrue();
    assertThat(s.get("d").mode()).isEqualTo(0755);
    assertThat(s.get("d/f"))
        .isEqualTo(Entry.file("d/f", 5, Instant.ofEpochSecond(1_700_000_001L), 0644));
    assertThat(s.get("d/l").linkTarget()).isEqualTo("t");
  }

  @Test
  void theFastTimeReaderAgreesWithTheExactOneOrLeavesItTheText() throws Exception {
    for (String t : new String[] {"1700000000.1234567890", "1700000001.0000000010", "1700000000", "0.5",
        "1700000000.1", "1700000000.999999999999", "12.000000000"}) {
      assertThat(ListingParser.fastSeconds(t.getBytes(StandardCharsets.US_ASCII))).as(t)
          .isEqualTo(ListingParser.parseSeconds(t));
    }
    for (String t : new String[] {"-1.5000000000", "", ".5", "1.2.3", "1e9", "12345678901234567890.0", "1.x"}) {
      assertThat(ListingParser.fastSeconds(t.getBytes(StandardCharsets.US_ASCII))).as(t).isNull();
    }
  }

  @Test
  void negativeFractionalTimesAreBeforeTheEpoch() throws Exception {
    assertThat(ListingParser.parseSeconds("-1.5000000000"))
        .isEqualTo(Instant.ofEpochSecond(-2, 500_000_000));
  }
}
