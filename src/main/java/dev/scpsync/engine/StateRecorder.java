package dev.scpsync.engine;

import dev.scpsync.transport.FileDigest;
import dev.scpsync.tree.Entry;
import java.util.List;

/**
 * Receives what the destination has confirmed, in the order it was confirmed: the engine calls it
 * only after the remote acknowledged the final rename, mkdir, symlink, attribute change, rename or
 * delete, so whatever it records may lag the truth but never runs ahead of it.
 */
interface StateRecorder {
  /** Entries now on the destination exactly as given. */
  void confirmed(List<Entry> entries);

  /**
   * A file now on the destination exactly as given, with the digest of its content as the upload
   * read and sent it (so it need not be read again).
   */
  default void confirmed(Entry file, FileDigest digest) {
    confirmed(List.of(file));
  }

  /** Paths (with everything below) no longer on the destination. */
  void removed(List<String> paths);

  /** A path (with everything below) moved on the destination. */
  void renamed(String from, String to);

  StateRecorder NONE = new StateRecorder() {
    @Override
    public void confirmed(List<Entry> entries) {}

    @Override
    public void removed(List<String> paths) {}

    @Override
    public void renamed(String from, String to) {}
  };
}
