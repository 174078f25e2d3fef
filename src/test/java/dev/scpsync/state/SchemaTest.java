package dev.scpsync.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.tree.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaTest {
  private static final Instant T = Instant.ofEpochSecond(1_700_000_000L);

  @TempDir Path dir;

  private static int userVersion(Path file) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      return rs.getInt(1);
    }
  }

  private static List<Migration> withExtra(Migration... extra) {
    List<Migration> all = new ArrayList<>(Schema.MIGRATIONS);
    all.addAll(List.of(extra));
    return all;
  }

  @Test
  void aNewDatabaseIsAtTheLatestVersion() throws Exception {
    Path file;
    try (StateStore store = StateStore.open(dir, dir.resolve("src"))) {
      file = store.file();
    }
    assertThat(userVersion(file)).isEqualTo(Schema.latest(Schema.MIGRATIONS)).isEqualTo(1);
  }

  @Test
  void aDatabaseFromANewerScpsyncIsRefusedAndLeftByteForByteUntouched() throws Exception {
    Path file = StateStore.databaseFile(dir, dir.resolve("src"));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE future_stuff (x)");
      s.execute("INSERT INTO future_stuff VALUES (42)");
      s.execute("PRAGMA user_version = 3");
    }
    byte[] before = Files.readAllBytes(file);

    assertThatThrownBy(() -> StateStore.open(dir, dir.resolve("src")))
        .isInstanceOf(IOException.class)
        .hasMessage(file + " was created by a newer scpsync (schema 3, this build knows 1);"
            + " refusing to touch it");

    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(dir.resolve(file.getFileName() + "-wal")).doesNotExist();
  }

  @Test
  void anOlderDatabaseIsMigratedInOrderKeepingItsRows() throws Exception {
    Path file = dir.resolve("state.db");
    try (StateStore v1 = StateStore.open(file, "/src", Schema.MIGRATIONS)) {
      v1.target("t").record(List.of(new Confirmed(Entry.file("a", 3, T, 0644), "ab", null)));
    }
    List<Migration> v3 = withExtra(
        new Migration(2, List.of("ALTER TABLE synced ADD COLUMN owner TEXT")),
        new Migration(3, List.of("UPDATE synced SET owner = 'migrated-' || path")));

    try (StateStore store = StateStore.open(file, "/src", v3)) {
      assertThat(store.target("t").get("a").orElseThrow().sha256()).isEqualTo("ab");
    }
    assertThat(userVersion(file)).isEqualTo(3);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT owner FROM synced")) {
      assertThat(rs.getString(1)).as("migration 3 ran after 2").isEqualTo("migrated-a");
    }
  }

  @Test
  void aMigrationThatFailsLeavesTheDatabaseAtItsOldVersion() throws Exception {
    Path file = dir.resolve("state.db");
    try (StateStore v1 = StateStore.open(file, "/src", Schema.MIGRATIONS)) {
      v1.target("t").record(List.of(Confirmed.of(Entry.file("a", 3, T, 0644))));
    }
    List<Migration> broken = withExtra(
        new Migration(2, List.of("ALTER TABLE synced ADD COLUMN owner TEXT")),
        new Migration(3, List.of("THIS IS NOT SQL")));

    assertThatThrownBy(() -> StateStore.open(file, "/src", broken))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString());

    assertThat(userVersion(file)).isEqualTo(1);
    try (StateStore v1 = StateStore.open(file, "/src", Schema.MIGRATIONS)) {
      assertThat(v1.target("t").size()).isEqualTo(1);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pragma_table_info('synced')"
            + " WHERE name = 'owner'")) {
      assertThat(rs.getInt(1)).as("migration 2 rolled back with 3").isZero();
    }
  }

  @Test
  void aFileThatIsNotADatabaseIsReportedByName() throws Exception {
    Path file = dir.resolve("garbage.db");
    Files.writeString(file, "this is not sqlite, just some text that is long enough ".repeat(20));
    assertThatThrownBy(() -> StateStore.open(file, "/src", Schema.MIGRATIONS))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString());
  }
}
