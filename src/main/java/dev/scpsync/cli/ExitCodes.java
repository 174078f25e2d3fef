package dev.scpsync.cli;

/** Process exit codes; documented in the README. */
final class ExitCodes {
  /** Done; the destination matches the source. */
  static final int OK = 0;
  /** Some paths failed; the destination does not fully match. */
  static final int FAILED = 1;
  /** Bad command line, malformed target, missing local source. */
  static final int USAGE = 2;
  /** Could not connect, host key refused, or authentication failed. */
  static final int CONNECT = 3;
  /** Remote files changed by someone else since the last sync were found (see --on-drift). */
  static final int DRIFT = 4;
  /** Deletes were withheld by --max-delete or because the source is empty. */
  static final int DELETES_REFUSED = 5;

  private ExitCodes() {}
}
