package dev.scpsync.engine;

import dev.scpsync.transport.TransferListener;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import java.io.IOException;
import java.util.List;

/** The side a plan is carried out on: a remote (push) or a local directory (pull). */
interface Destination {
  List<Problem> delete(List<Entry> entries) throws IOException;

  List<Problem> mkdirs(List<Entry> directories) throws IOException;

  /** Brings files over, each via a temporary name renamed into place. */
  void transfer(List<Entry> files, TransferListener listener) throws IOException;

  List<Problem> symlinks(List<Entry> links) throws IOException;

  List<Problem> setAttributes(List<Entry> entries) throws IOException;

  /** Renames paths in map order (targets absent, parents present). */
  List<Problem> rename(java.util.SequencedMap<String, String> fromTo) throws IOException;
}
