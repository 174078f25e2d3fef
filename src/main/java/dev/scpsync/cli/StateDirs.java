package dev.scpsync.cli;

import java.nio.file.Path;

/** Where scpsync keeps its state: {@code $XDG_STATE_HOME/scpsync}, else {@code ~/.local/state/scpsync}. */
final class StateDirs {
  private StateDirs() {}

  static Path stateDir() {
    String xdg = System.getenv("XDG_STATE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("scpsync");
  }
}
