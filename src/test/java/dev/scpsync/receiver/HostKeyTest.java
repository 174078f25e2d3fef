package dev.scpsync.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host key is made once, kept across restarts, and is the key OpenSSH tools see. */
class HostKeyTest {
  @TempDir Path tmp;
  private ReceiverFixture fixture;

  @BeforeEach
  void start() throws Exception {
    OpenSsh.requireClients();
    fixture = ReceiverFixture.start(tmp.resolve("server"));
  }

  @AfterEach
  void stop() throws IOException {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void generatedKeyIsAnOwnerOnlyOpenSshEd25519Key() throws Exception {
    Path key = fixture.hostKey;

    assertThat(Files.readString(key)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    // ssh-keygen -y reads the private key and prints its public half: OpenSSH can load our file.
    String derived = keygen("-y", "-f", key.toString()).stdout().strip();
    String written = Files.readString(key.resolveSibling(key.getFileName() + ".pub")).strip();
    assertThat(derived).startsWith("ssh-ed25519 ");
    assertThat(written).startsWith(derived);
    assertThat(keygen("-lf", key.toString()).stdout())
        .contains(fixture.receiver().hostKeyFingerprint())
        .contains("(ED25519)");
    assertThat(written)
        .startsWith(
            PublicKeyEntry.appendPublicKeyEntry(
                    new StringBuilder(), fixture.receiver().hostPublicKey())
                .toString());
  }

  @Test
  void restartKeepsTheSameHostKey() throws Exception {
    String before = fixture.receiver().hostKeyFingerprint();
    String fileBefore = Files.readString(fixture.hostKey);

    fixture.restart();

    assertThat(fixture.receiver().hostKeyFingerprint()).isEqualTo(before);
    assertThat(Files.readString(fixture.hostKey)).isEqualTo(fileBefore);
    // And clients that trusted it before still connect with strict checking.
    fixture.sftp("ls").requireSuccess();
  }

  @Test
  void fingerprintMatchesWhatSshKeyscanSees() throws Exception {
    OpenSsh.Run scan =
        OpenSsh.run(
                tmp,
                List.of(
                    OpenSsh.SSH_KEYSCAN.toString(),
                    "-p", Integer.toString(fixture.port()),
                    "127.0.0.1"))
            .requireSuccess();
    Path scanned = Files.writeString(tmp.resolve("scanned"), scan.stdout());

    assertThat(scan.stdout().lines().filter(l -> !l.startsWith("#"))).hasSize(1);
    assertThat(keygen("-lf", scanned.toString()).stdout())
        .contains(fixture.receiver().hostKeyFingerprint());
  }

  @Test
  void anExistingKeyMadeByOpenSshIsUsedAsIs() throws Exception {
    fixture.close();
    Files.delete(fixture.hostKey);
    keygen("-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", fixture.hostKey.toString());
    String fingerprint = keygen("-lf", fixture.hostKey.toString()).stdout().split(" ")[1];

    fixture.restart();

    assertThat(fixture.receiver().hostKeyFingerprint()).isEqualTo(fingerprint);
    fixture.sftp("ls").requireSuccess();
  }

  @Test
  void anUnreadableKeyFileStopsTheStartInsteadOfBeingReplaced() throws Exception {
    fixture.close();
    Files.writeString(fixture.hostKey, "not a key\n");

    assertThatThrownBy(fixture::restart).isInstanceOf(IOException.class);
    assertThat(fixture.hostKey).hasContent("not a key");
  }

  private OpenSsh.Run keygen(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(OpenSsh.SSH_KEYGEN.toString()));
    command.addAll(List.of(args));
    return OpenSsh.run(tmp, command).requireSuccess();
  }
}
