package dev.scpsync.engine;

import dev.scpsync.transport.Chunking;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.Remote;
import dev.scpsync.transport.TransferListener;
import dev.scpsync.tree.Entry;
import dev.scpsync.tree.Problem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A push: the plan is carried out on a remote, reading file content from the local root. */
final class RemoteDestination implements Destination {
  private final Remote remote;
  private final Path localRoot;
  private final Chunking chunking;
  private final long bwlimit;

  /** @param bwlimit most bytes of file content a second, 0 for no limit */
  RemoteDestination(Remote remote, Path localRoot, Chunking chunking, long bwlimit) {
    this.remote = remote;
    this.localRoot = localRoot;
    this.chunking = chunking;
    this.bwlimit = bwlimit;
  }

  @Override
  public List<Problem> delete(List<Entry> entries) throws IOException {
    return entries.isEmpty() ? List.of() : remote.delete(entries);
  }

  @Override
  public List<Problem> mkdirs(List<Entry> directories) throws IOException {
    return directories.isEmpty() ? List.of() : remote.mkdirs(directories);
  }

  @Override
  public void transfer(List<Entry> files, TransferListener listener) throws IOException {
    if (files.isEmpty()) {
      return;
    }
    List<FileTransfer> batch = new ArrayList<>(files.size());
    for (Entry e : files) {
      batch.add(new FileTransfer(e, LocalPaths.resolveInside(localRoot, e.path())));
    }
    remote.upload(batch, Throttle.limit(listener, bwlimit), chunking);
  }

  @Override
  public List<Problem> symlinks(List<Entry> links) throws IOException {
    return links.isEmpty() ? List.of() : remote.symlinks(links);
  }

  @Override
  public List<Problem> setAttributes(List<Entry> entries) throws IOException {
    return entries.isEmpty() ? List.of() : remote.setAttributes(entries);
  }

  @Override
  public List<Problem> rename(java.util.SequencedMap<String, String> fromTo) throws IOException {
    return fromTo.isEmpty() ? List.of() : remote.rename(fromTo);
  }
}
