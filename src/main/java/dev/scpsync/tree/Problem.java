package dev.scpsync.tree;

/**
 * A per-path difficulty that does not fail a whole run, such as a file that vanished mid-scan or
 * a name a protocol cannot carry. Problems are reported and make the exit code non-zero.
 */
public record Problem(String path, String message) {
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
