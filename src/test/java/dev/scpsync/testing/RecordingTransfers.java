package dev.scpsync.testing;

import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.TransferListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Remembers what a transfer reported. */
public class RecordingTransfers implements TransferListener {
  public final List<String> done = new ArrayList<>();
  public final Map<String, Exception> failed = new LinkedHashMap<>();
  public long bytes;

  @Override
  public void bytes(long count) {
    bytes += count;
  }

  @Override
  public void done(FileTransfer file) {
    done.add(file.entry().path());
  }

  @Override
  public void failed(FileTransfer file, Exception cause) {
    failed.put(file.entry().path(), cause);
  }
}
