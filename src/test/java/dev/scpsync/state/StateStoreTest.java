package dev.scpsync.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.tree.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
  private static final Instant T = Instant.ofEpochSecond(1_700_000_000L, 5);

  @TempDir Path dir;

  @Test
  void oneOwnerOnlyDatabasePerSourceTreeNamedByTheHashOfItsPath() throws Exception {
    Path stateDir = dir.resolve("deep/state");
    Path source = dir.resolve("site");
    try (StateStore a = StateStore.open(stateDir, source);
        StateStore sameTree = StateStore.open(stateDir, dir.resolve("x/../site/."));
        StateStore other = StateStore.open(stateDir, dir.resolve("other"))) {
      assertThat(a.file().getParent()).isEqualTo(stateDir);
      assertThat(a.file().getFileName().toString()).matches("[0-9a-f]{16}\\.db");
      assertThat(sameTree.file()).isEqualTo(a.file());
      assertThat(other.file()).isNotEqualTo(a.file());
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir)))
        .isEqualTo("rwx------");
  }

  @Test
  void aStateDirWhoseNameLooksLikeAUrlQueryHoldsTheDatabase() throws Exception {
    // sqlite-jdbc reads "?..." in a JDBC URL as settings; the file must still land in stateDir.
    Path stateDir = dir.resolve("we?ird#dir%20 x");
    try (StateStore store = StateStore.open(stateDir, dir.resolve("src"))) {
      store.target("t").record(List.of(Confirmed.of(Entry.file("a", 1, T, 0644))));
      assertThat(store.file()).exists().hasParent(stateDir);
    }
  }

  @Test
  void theDatabaseSaysWhichSourceTreeItBelongsTo() throws Exception {
    Path source = dir.resolve("site");
    Path file;
    try (StateStore store = StateStore.open(dir.resolve("state"), source)) {
      file = store.file();
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'source_path'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(source.toAbsolutePath().toString());
    }
  }

  @Test
  void aDatabaseCopiedUnderAnotherTreesNameIsRefused() throws Exception {
    Path stateDir = dir.resolve("state");
    Path mine;
    try (StateStore store = StateStore.open(stateDir, dir.resolve("mine"))) {
      mine = store.file();
    }
    Path theirs = StateStore.databaseFile(stateDir, dir.resolve("theirs"));
    Files.copy(mine, theirs);

    assertThatThrownBy(() -> StateStore.open(stateDir, dir.resolve("theirs")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(theirs.toString())
        .hasMessageContaining("holds the state of " + dir.resolve("mine"));
  }

  @Test
  void walModeIsOn() throws Exception {
    try (StateStore store = StateStore.open(dir.resolve("state"), dir.resolve("src"));
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.file());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void targetsAreIndependent() throws Exception {
    try (StateStore store = StateStore.open(dir.resolve("state"), dir.resolve("src"))) {
      TargetState web1 = store.target("sftp://deploy@web1:22/srv/www");
      TargetState web2 = store.target("scp://web2:22/srv");
      web1.record(List.of(new Confirmed(Entry.file("a", 1, T, 0644), "11", "k")));
      web2.record(List.of(
          Confirmed.of(Entry.file("a", 2, T, 0600)), Confirmed.of(Entry.directory("d", T, 0755))));

      web2.recordDeleted(List.of("a"));
      web2.recordRenamed("d", "e");

      assertThat(web1.synced().entries()).containsExactly(Entry.file("a", 1, T, 0644));
      assertThat(web1.hashes()).isEqualTo(Map.of("a", "11"));
      assertThat(web2.synced().entries()).containsExactly(Entry.directory("e", T, 0755));
      assertThat(web2.hashes()).isEmpty();
      assertThat(store.target("sftp://deploy@web1:22/srv/www")).isSameAs(web1);
      assertThat(store.target("never-synced").isEmpty()).isTrue();
      assertThat(store.targets())
          .containsExactly("never-synced", "scp://web2:22/srv", "sftp://deploy@web1:22/srv/www");
    }
  }

  @Test
  void everythingRecordedForATargetReadsInOnePassAsEachReadAlone() throws Exception {
    try (StateStore store = StateStore.open(dir.resolve("state"), dir.resolve("src"))) {
      TargetState web = store.target("sftp://deploy@web1:22/srv/www");
      web.record(List.of(new Confirmed(Entry.file("a", 1, T, 0644), "11", "k1"),
          new Confirmed(Entry.file("b", 2, T, 0600), null, "k2"),
          new Confirmed(Entry.file("c", 3, T, 0600), "33", null),
          Confirmed.of(Entry.directory("d", T, 0755))));
      store.target("scp://other:22/srv").record(List.of(new Confirmed(Entry.file("x", 9, T, 0644), "99", "k9")));

      TargetState.Recorded all = web.recorded();
      assertThat(all.synced().entries()).containsExactlyElementsOf(web.synced().entries());
      assertThat(all.hashes()).isEqualTo(web.hashes()).isEqualTo(Map.of("a", "11", "c", "33"));
      assertThat(all.fileKeys()).isEqualTo(web.fileKeys()).isEqualTo(Map.of("a", "k1", "b", "k2"));
    }
  }

  @Test
  void defaultStateDirFollowsXdgStateHome() {
    assertThat(StateStore.defaultStateDir(Map.of("XDG_STATE_HOME", "/xdg/state")::get, "/home/u"))
        .isEqualTo(Path.of("/xdg/state/scpsync"));
    assertThat(StateStore.defaultStateDir(Map.<String, String>of()::get, "/home/u"))
        .isEqualTo(Path.of("/home/u/.local/state/scpsync"));
    // The XDG spec: relative values are invalid and ignored.
    assertThat(StateStore.defaultStateDir(Map.of("XDG_STATE_HOME", "rel")::get, "/home/u"))
        .isEqualTo(Path.of("/home/u/.local/state/scpsync"));
  }
}
