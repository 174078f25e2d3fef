package dev.scpsync.transport.scp;

import dev.scpsync.transport.FileTransfer;
import dev.scpsync.tree.TreePaths;
import java.util.Arrays;
import java.util.List;

/** One file of an upload batch and the temporary name it is written under before the rename. */
record Upload(FileTransfer file, String tempPath) {

  /** The destination directory's path elements; empty for the root. */
  List<String> directory() {
    String parent = TreePaths.parent(tempPath);
    return parent.isEmpty() ? List.of() : Arrays.asList(parent.split("/"));
  }

  String tempName() {
    return tempPath.substring(tempPath.lastIndexOf('/') + 1);
  }
}
