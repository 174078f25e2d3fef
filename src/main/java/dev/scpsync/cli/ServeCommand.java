package dev.scpsync.cli;

import dev.scpsync.receiver.Receiver;
import dev.scpsync.receiver.ReceiverConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scpsync serve}: the embedded receiver, an SSH server for SFTP and SCP only. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run scpsync's own SSH receiver: SFTP and SCP only, confined to one directory, public-key auth only.")
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--root", required = true, paramLabel = "DIR", description = "Directory clients see as /; nothing outside it is reachable.")
  Path root;

  @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDR", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--port", defaultValue = "2222", paramLabel = "PORT", description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--authorized-keys", required = true, paramLabel = "FILE", description = "OpenSSH authorized_keys file of the keys allowed in (any user name).")
  Path authorizedKeys;

  @Option(names = "--host-key", paramLabel = "FILE", description = "Host private key; generated (ed25519) and kept there on first start (default: $XDG_STATE_HOME/scpsync/host_ed25519).")
  Path hostKey;

  @Option(names = "--audit-log", paramLabel = "FILE", description = "Append the audit log (JSON lines: sessions, refused keys, every write, rename, delete, mkdir, setstat) to FILE; default: the log, at INFO.")
  Path auditLog;

  @Mixin LogFlags logging;

  @Override
  public Integer call() throws Exception {
    logging.apply();
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isDirectory(root)) {
      throw new ErrorReporter.UsageException(root + ": --root must be an existing directory");
    }
    if (!Files.isReadable(authorizedKeys)) {
      throw new ErrorReporter.UsageException(authorizedKeys + ": --authorized-keys file does not exist or is not readable");
    }
    Path key = hostKey != null ? hostKey : dev.scpsync.state.StateStore.defaultStateDir().resolve("host_ed25519");
    Files.createDirectories(key.toAbsolutePath().getParent());
    CountDownLatch stopped = new CountDownLatch(1);
    try (Receiver receiver = new Receiver(new ReceiverConfig(root, bind, port, authorizedKeys, key, auditLog))) {
      receiver.start();
      out.println("scpsync receiver listening on " + bind + ":" + receiver.port() + ", root " + root.toAbsolutePath());
      out.println("host key " + receiver.hostKeyFingerprint() + " (" + key + ")");
      out.flush();
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "scpsync-serve-stop"));
      stopped.await();
    }
    return ExitCodes.OK;
  }
}
