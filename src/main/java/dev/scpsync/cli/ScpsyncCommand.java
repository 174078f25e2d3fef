package dev.scpsync.cli;

import picocli.CommandLine.Command;

/** The top-level command; its subcommands do the work. */
@Command(name = "scpsync", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Keeps remote directories in sync with a local tree over SSH (SFTP or SCP).",
    subcommands = {PushCommand.class, WatchCommand.class, RunCommand.class, PullCommand.class, StatusCommand.class,
        PlacementCommand.class, ServeCommand.class,
        DemoCommand.class})
final class ScpsyncCommand {}
