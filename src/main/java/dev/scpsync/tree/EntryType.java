package dev.scpsync.tree;

/** The kind of a node in a synced tree. */
public enum EntryType {
  FILE,
  DIRECTORY,
  SYMLINK
}
