package dev.scpsync.watch;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** A working fake of what the coalescer stats: files and directories with size and mtime. */
final class FakeFiles implements FileStamp.Reader {
  private final Map<String, FileStamp> stamps = new HashMap<>();
  private final Ticker clock;
  private int reads;

  FakeFiles(Ticker clock) {
    this.clock = clock;
  }

  @Override
  public FileStamp read(String path) throws IOException {
    reads++;
    if (path.equals("unreadable")) {
      throw new IOException("Permission denied");
    }
    return stamps.get(path);
  }

  /** Writes {@code size} bytes to the file, stamping it with the fake clock's time. */
  void write(String path, long size) {
    stamps.put(path, new FileStamp(false, size, clock.read()));
  }

  void mkdir(String path) {
    stamps.put(path, new FileStamp(true, 0, clock.read()));
  }

  void delete(String path) {
    stamps.remove(path);
  }

  void rename(String from, String to) {
    stamps.put(to, stamps.remove(from));
  }

  int reads() {
    return reads;
  }
}
