package dev.scpsync.cli;

import dev.scpsync.state.StateStore;
import java.nio.file.Path;

/** Where scpsync keeps its state: {@code $XDG_STATE_HOME/scpsync}, else {@code ~/.local/state/scpsync}. */
final class StateDirs {
  private StateDirs() {}

  static Path stateDir() {
    return StateStore.defaultStateDir();
  }
}
