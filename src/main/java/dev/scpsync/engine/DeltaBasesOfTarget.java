package dev.scpsync.engine;

import dev.scpsync.state.SyncedFile;
import dev.scpsync.state.TargetState;
import dev.scpsync.transport.BlockHashes;
import dev.scpsync.transport.DeltaBases;
import java.util.Optional;

/**
 * The transport's {@link DeltaBases} read from a target's {@link TargetState}: the last confirmed
 * version of a file, when the state kept its block hashes (files that went in chunks).
 */
final class DeltaBasesOfTarget implements DeltaBases {
  private final TargetState state;

  DeltaBasesOfTarget(TargetState state) {
    this.state = state;
  }

  @Override
  public Optional<Base> find(String path) {
    Optional<SyncedFile> synced = state.get(path).filter(s -> s.entry().isFile());
    if (synced.isEmpty()) {
      return Optional.empty();
    }
    return state.blockHashes(path).flatMap(BlockHashes::decode)
        .map(blocks -> new Base(synced.get().entry().size(), synced.get().entry().mtime(), blocks));
  }
}
