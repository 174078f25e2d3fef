package dev.scpsync.cli;

import dev.scpsync.monitor.LogSetup;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --log-format} and {@code --log-file}, for the long-running commands. */
final class LogFlags {
  @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
      description = "Log lines as text or as one JSON object per line (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--log-file", paramLabel = "PATH",
      description = "Write the log (events included) to PATH instead of stderr, rotated at 10 MB, 5 old files kept.")
  Path file;

  /** Applies the flags; a bad format is a usage error. */
  void apply() {
    LogSetup.Format f;
    try {
      f = LogSetup.Format.parse(format);
    } catch (IllegalArgumentException e) {
      throw new ErrorReporter.UsageException(e.getMessage());
    }
    if (file != null && file.getParent() != null && !java.nio.file.Files.isDirectory(file.getParent())) {
      throw new ErrorReporter.UsageException(file + ": --log-file's directory does not exist");
    }
    LogSetup.configure(f, file);
  }
}
