package dev.scpsync.cli;

import dev.scpsync.engine.PushJob;
import dev.scpsync.engine.SyncResult;
import dev.scpsync.transport.TargetSpec;
import dev.scpsync.transport.ssh.SshConnector;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code scpsync push SRC TARGET}: one-shot mirror of a local tree to a remote directory. */
@Command(name = "push", mixinStandardHelpOptions = true,
    description = "Mirror the contents of a local directory to a remote directory, once (like rsync -a SRC/ TARGET).")
final class PushCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SRC", description = "Local directory whose contents are sent.")
  Path source;

  @Parameters(index = "1", paramLabel = "TARGET", description = "[user@]host[:port]:/path, sftp://user@host:port/path or scp://...")
  String target;

  @Mixin SyncFlags flags;
  @Mixin SafetyFlags safety;
  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TargetSpec targetSpec = TargetSpec.parse(target);
    SafetyFlags.requireSourceDirectory(source);
    ProgressDisplay progress = new ProgressDisplay(err, !flags.quiet && ProgressDisplay.stderrIsTerminal());
    SyncResult result;
    try (SshConnector connector = new SshConnector(connection.toSshOptions())) {
      var options = safety.withState(flags.toOptions(connection.protocol, source), java.time.Clock.systemUTC());
      result = new PushJob(connector).run(source, targetSpec, options, progress);
    } finally {
      progress.finish();
    }
    if (result.dryRun()) {
      result.moves().forEach(m -> out.println("rename   " + m));
      SyncReport.printDryRun(out, result.plan());
    }
    if (!flags.quiet || !result.matches()) {
      out.println(SyncReport.summary("push", targetSpec.display(), result));
    }
    for (String p : result.unverified()) {
      err.println("scpsync: unverified (size+mtime): " + p + ": the remote cannot compute SHA-256");
    }
    for (var d : result.drift()) {
      err.println("scpsync: drift: " + d);
    }
    if (result.refusalReason() != null) {
      err.println("scpsync: deleted nothing: " + result.refusalReason());
    }
    out.flush();
    err.flush();
    if (!result.matches()) {
      return ExitCodes.FAILED;
    }
    if (!result.drift().isEmpty()) {
      return ExitCodes.DRIFT;
    }
    return result.deletesRefused() > 0 ? ExitCodes.DELETES_REFUSED : ExitCodes.OK;
  }
}
