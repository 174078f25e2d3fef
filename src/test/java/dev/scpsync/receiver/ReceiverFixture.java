package dev.scpsync.receiver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A running receiver on 127.0.0.1 with a temp root, an authorized user key and a known_hosts file
 * naming its host key, plus OpenSSH client command lines preset to use exactly those.
 */
final class ReceiverFixture implements AutoCloseable {
  static final String USER = "alice";

  final Path dir;
  final Path root;
  final Path userKey;
  final Path authorizedKeys;
  final Path hostKey;
  final Path knownHosts;
  private Receiver receiver;

  /** Lays out {@code dir} (root/, keys, known_hosts) and starts the receiver. */
  static ReceiverFixture start(Path dir) throws IOException, InterruptedException {
    ReceiverFixture fixture = new ReceiverFixture(dir);
    fixture.restart();
    return fixture;
  }

  private ReceiverFixture(Path dir) throws IOException, InterruptedException {
    this.dir = dir;
    this.root = Files.createDirectories(dir.resolve("root"));
    Path keys = Files.createDirectories(dir.resolve("keys"));
    this.userKey = keys.resolve("id_ed25519");
    OpenSsh.generateUserKey(userKey);
    this.authorizedKeys = keys.resolve("authorized_keys");
    Files.copy(keys.resolve("id_ed25519.pub"), authorizedKeys);
    this.hostKey = keys.resolve("receiver_host_key");
    this.knownHosts = keys.resolve("known_hosts");
  }

  /** (Re)starts the receiver with the same files and rewrites known_hosts for its new port. */
  void restart() throws IOException {
    close();
    receiver =
        new Receiver(new ReceiverConfig(root, "127.0.0.1", 0, authorizedKeys, hostKey, dir.resolve("audit.jsonl")));
    receiver.start();
    String publicKey = Files.readString(hostKey.resolveSibling(hostKey.getFileName() + ".pub"));
    Files.writeString(knownHosts, "[127.0.0.1]:" + port() + " " + publicKey);
  }

  Receiver receiver() {
    return receiver;
  }

  int port() {
    return receiver.port();
  }

  /** {@code user@127.0.0.1:path}, as scp wants a remote path. */
  String remote(String path) {
    return USER + "@127.0.0.1:" + path;
  }

  /** Options every client gets: only our key, only our known_hosts, no prompts, no user config. */
  List<String> commonOptions(Path identity) {
    return List.of(
        "-F", "/dev/null",
        "-o", "BatchMode=yes",
        "-o", "UserKnownHostsFile=" + knownHosts,
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "StrictHostKeyChecking=yes",
        "-o", "IdentitiesOnly=yes",
        "-o", "IdentityAgent=none",
        "-o", "ConnectTimeout=10",
        "-i", identity.toString());
  }

  /** Runs {@code scp} with {@code args} (e.g. {@code -O -r src dest}). */
  OpenSsh.Run scp(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(OpenSsh.SCP.toString()));
    command.addAll(commonOptions(userKey));
    command.addAll(List.of("-P", Integer.toString(port())));
    command.addAll(List.of(args));
    return OpenSsh.run(dir, command);
  }

  /** Runs {@code sftp -b} with the given batch lines as {@code user} with key {@code identity}. */
  OpenSsh.Run sftpAs(Path identity, String user, String... batchLines)
      throws IOException, InterruptedException {
    Path batch = Files.createTempFile(dir, "batch", ".txt");
    Files.write(batch, List.of(batchLines));
    List<String> command = new ArrayList<>(List.of(OpenSsh.SFTP.toString()));
    command.addAll(commonOptions(identity));
    command.addAll(
        List.of("-P", Integer.toString(port()), "-b", batch.toString(), user + "@127.0.0.1"));
    OpenSsh.Run run = OpenSsh.run(dir, command);
    Files.delete(batch);
    return run;
  }

  OpenSsh.Run sftp(String... batchLines) throws IOException, InterruptedException {
    return sftpAs(userKey, USER, batchLines);
  }

  /** The ssh command line up to (not including) the destination; callers add the rest. */
  List<String> sshCommand(String... options) {
    List<String> command = new ArrayList<>(List.of(OpenSsh.SSH.toString()));
    command.addAll(commonOptions(userKey));
    command.addAll(List.of("-p", Integer.toString(port())));
    command.addAll(List.of(options));
    return command;
  }

  /** Runs {@code ssh [options] user@127.0.0.1 [remoteCommand]}. */
  OpenSsh.Run ssh(List<String> options, String... remoteCommand)
      throws IOException, InterruptedException {
    List<String> command = sshCommand(options.toArray(String[]::new));
    command.add(USER + "@127.0.0.1");
    command.addAll(List.of(remoteCommand));
    return OpenSsh.run(dir, command);
  }

  @Override
  public void close() throws IOException {
    if (receiver != null) {
      receiver.close();
      receiver = null;
    }
  }
}
