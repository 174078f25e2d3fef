package dev.scpsync.cli;

import dev.scpsync.engine.PullJob;
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

/** {@code scpsync pull TARGET DEST}: one-shot mirror of a remote directory into a local one. */
@Command(name = "pull", mixinStandardHelpOptions = true,
    description = "Mirror the contents of a remote directory into a local directory, once.")
final class PullCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TARGET", description = "[user@]host[:port]:/path, sftp://user@host:port/path or scp://...")
  String target;

  @Parameters(index = "1", paramLabel = "DEST", description = "Local directory to fill (created if missing).")
  Path destination;

  @Mixin SyncFlags flags;
  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TargetSpec targetSpec = TargetSpec.parse(target);
    ProgressDisplay progress = new ProgressDisplay(err, !flags.quiet && ProgressDisplay.stderrIsTerminal());
    SyncResult result;
    try (SshConnector connector = new SshConnector(connection.toSshOptions())) {
      result = new PullJob(connector).run(targetSpec, destination, flags.toOptions(connection.protocol, null), progress);
    } finally {
      progress.finish();
    }
    if (result.dryRun()) {
      SyncReport.printDryRun(out, result.plan());
    }
    if (!flags.quiet || !result.matches()) {
      out.println(SyncReport.summary("pull", targetSpec.display(), result));
    }
    out.flush();
    return result.matches() ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
