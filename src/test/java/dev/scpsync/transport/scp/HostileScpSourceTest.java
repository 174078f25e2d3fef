package dev.scpsync.transport.scp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scpsync.testing.RecordingTransfers;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.SshConnector;
import dev.scpsync.transport.ssh.SshOptions;
import dev.scpsync.tree.Entry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that answers {@code scp -f} with names and sizes it was not asked for (CVE-2019-6111
 * class). Each such transfer fails, the good ones still arrive, and nothing is written anywhere but
 * the local paths that were given.
 */
class HostileScpSourceTest {
  private static final Instant T = Instant.ofEpochSecond(1_700_000_000L);

  @TempDir static Path keys;
  static SshServer sshd;
  static SshConnector connector;
  static Path absoluteVictim;

  @TempDir Path downloads;

  @BeforeAll
  static void startHostileServer() throws Exception {
    KeyPair hostKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    KeyPair userKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    Path identity = keys.resolve("user_ed25519");
    try (OutputStream out = Files.newOutputStream(identity)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(userKey, "hostile-test", null, out);
    }
    absoluteVictim = keys.resolve("escaped-absolute");
    sshd = SshServer.setUpDefaultServer();
    sshd.setHost("127.0.0.1");
    sshd.setPort(0);
    sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    sshd.setPublickeyAuthenticator(
        (user, key, session) -> KeyUtils.compareKeys(key, userKey.getPublic()));
    sshd.setCommandFactory(
        (channel, command) -> new HostileScpSource(command, absoluteVictim.toString()));
    sshd.start();
    Path knownHosts = keys.resolve("known_hosts");
    String line =
        PublicKeyEntry.appendPublicKeyEntry(
                new StringBuilder("[127.0.0.1]:" + sshd.getPort() + " "), hostKey.getPublic())
            .toString();
    Files.writeString(knownHosts, line + "\n");
    connector =
        new SshConnector(
            SshOptions.defaults()
                .withKnownHosts(List.of(knownHosts))
                .withIdentities(List.of(identity))
                .withAgent(false)
                .withSshConfig(null));
  }

  @AfterAll
  static void stop() throws IOException {
    connector.close();
    sshd.stop(true);
  }

  @BeforeEach
  void nothingEscapedBefore() {
    assertThat(absoluteVictim).doesNotExist();
  }

  private ScpRemote open() throws IOException {
    var session =
        connector.connect(TargetSpec.parse("mallory@127.0.0.1:" + sshd.getPort() + ":/srv"));
    return new ScpRemote(session, "/srv", "scp://hostile", Duration.ofSeconds(2), false);
  }

  private RecordingTransfers download(List<String> names) throws IOException {
    Path into = Files.createDirectories(downloads.resolve("into"));
    List<FileTransfer> files = new ArrayList<>();
    for (String name : names) {
      files.add(
          new FileTransfer(Entry.file("dir/" + name, 3, T, 0644), into.resolve(name + ".part")));
    }
    RecordingTransfers listener = new RecordingTransfers();
    try (ScpRemote remote = open()) {
      remote.download(files, listener);
    }
    return listener;
  }

  private Set<String> everythingWritten() throws IOException {
    try (Stream<Path> all = Files.walk(downloads)) {
      return all.filter(p -> !p.equals(downloads))
          .map(p -> downloads.relativize(p).toString())
          .collect(Collectors.toSet());
    }
  }

  @Test
  void namesAndRecordsThatWereNotAskedForFailTheirTransferAndWriteNothing() throws Exception {
    RecordingTransfers result =
        download(
            List.of(
                "good1",
                "dotdot",
                "absolute",
                "dot",
                "dotdot-only",
                "empty",
                "slash",
                "renamed",
                "directory",
                "bigger",
                "longer",
                "error",
                "fatal",
                "good2"));
    assertThat(result.done).containsExactly("dir/good1", "dir/good2");
    assertThat(result.failed.keySet())
        .containsExactlyInAnyOrder(
            "dir/dotdot",
            "dir/absolute",
            "dir/dot",
            "dir/dotdot-only",
            "dir/empty",
            "dir/slash",
            "dir/renamed",
            "dir/directory",
            "dir/bigger",
            "dir/longer",
            "dir/error",
            "dir/fatal");
    assertThat(result.failed.get("dir/dotdot"))
        .hasMessageContaining("'../escaped-dotdot'")
        .hasMessageContaining("not a plain name");
    assertThat(result.failed.get("dir/renamed"))
        .hasMessageContaining("'escaped-renamed' where dir/renamed was expected");
    assertThat(result.failed.get("dir/directory")).hasMessageContaining("D0755 0 directory");
    assertThat(result.failed.get("dir/bigger")).hasMessageContaining("10 bytes");
    assertThat(result.failed.get("dir/longer"))
        .hasMessageContaining("more than the 3 bytes it announced");
    assertThat(result.failed.get("dir/error")).hasMessageContaining("Permission denied");
    assertThat(everythingWritten())
        .containsExactlyInAnyOrder("into", "into/good1.part", "into/good2.part");
    assertThat(downloads.resolve("into/good1.part")).hasContent("abc");
    assertThat(absoluteVictim).doesNotExist();
    assertThat(Path.of("escaped-dotdot")).doesNotExist();
  }

  @Test
  void anUnrequestedFileAfterTheLastOneFailsThatOne() throws Exception {
    RecordingTransfers result = download(List.of("good1", "extra"));
    assertThat(result.done).containsExactly("dir/good1");
    assertThat(result.failed.get("dir/extra")).hasMessageContaining("more than was requested");
    assertThat(everythingWritten()).containsExactlyInAnyOrder("into", "into/good1.part");
  }

  @Test
  void anUnrequestedFileInTheMiddleTakesTheNextOnesPlaceAndIsRefused() throws Exception {
    RecordingTransfers result = download(List.of("extra", "good1", "good2"));
    assertThat(result.done).containsExactly("dir/extra", "dir/good2");
    assertThat(result.failed.get("dir/good1"))
        .hasMessageContaining("'escaped-unrequested' where dir/good1 was expected");
    assertThat(everythingWritten())
        .containsExactlyInAnyOrder("into", "into/extra.part", "into/good2.part");
  }

  @Test
  void aServerThatStallsTimesOutAndTheBatchGoesOn() throws Exception {
    long start = System.nanoTime();
    RecordingTransfers result = download(List.of("hang", "good1"));
    assertThat(result.failed.keySet()).containsExactly("dir/hang");
    assertThat(result.done).containsExactly("dir/good1");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }
}
