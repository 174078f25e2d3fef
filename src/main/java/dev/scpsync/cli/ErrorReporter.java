package dev.scpsync.cli;

import dev.scpsync.transport.ssh.SshConnectException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any failure of a command into one line on stderr and an exit code. Stack traces only
 * with {@code SCPSYNC_DEBUG=1}.
 */
final class ErrorReporter implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
    if (dev.scpsync.monitor.LogSetup.jsonOnConsole()) {
      // stderr is a JSON log: the failure is one more object in it, not a line that breaks it.
      var o = dev.scpsync.monitor.EventJson.MAPPER.createObjectNode();
      o.put("ts", java.time.Instant.now().toString()).put("level", "ERROR").put("event", "command.failed")
          .put("error", oneLine(e)).put("exit_code", exitCode(e));
      cmd.getErr().println(o);
    } else {
      cmd.getErr().println("scpsync: error: " + oneLine(e));
    }
    if (System.getenv("SCPSYNC_DEBUG") != null) {
      e.printStackTrace(cmd.getErr());
    }
    cmd.getErr().flush();
    return exitCode(e);
  }

  static int exitCode(Throwable e) {
    if (e instanceof SshConnectException) {
      return ExitCodes.CONNECT;
    }
    if (e instanceof IllegalArgumentException || e instanceof UsageException) {
      return ExitCodes.USAGE;
    }
    return ExitCodes.FAILED;
  }

  static String oneLine(Throwable e) {
    String message;
    if (e instanceof NoSuchFileException nsf) {
      message = nsf.getFile() + ": " + (nsf.getReason() != null ? nsf.getReason() : "no such file or directory");
    } else if (e instanceof AccessDeniedException ade) {
      message = ade.getFile() + ": permission denied";
    } else if (e.getMessage() != null && !e.getMessage().isBlank()) {
      message = e.getMessage();
    } else if (e.getCause() != null) {
      return oneLine(e.getCause());
    } else {
      message = e.getClass().getSimpleName();
    }
    if (e instanceof IOException && !(e instanceof SshConnectException) && e.getCause() != null
        && e.getCause().getMessage() != null && !message.contains(e.getCause().getMessage())) {
      message += ": " + e.getCause().getMessage();
    }
    return message.replaceAll("[\\r\\n]+", " ").replaceAll("\\p{Cntrl}", "?").strip();
  }

  /** A usage error found after parsing (exit code 2). */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
