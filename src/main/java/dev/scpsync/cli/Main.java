package dev.scpsync.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** The command-line entry point. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs a command line with the given streams and returns the exit code (for tests too). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(new ScpsyncCommand());
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setExecutionExceptionHandler(new ErrorReporter());
    cmd.setParameterExceptionHandler((ex, argv) -> {
      ex.getCommandLine().getErr().println("scpsync: error: " + ex.getMessage());
      ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
      return ExitCodes.USAGE;
    });
    return cmd.execute(args);
  }
}
