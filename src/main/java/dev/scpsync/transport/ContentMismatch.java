package dev.scpsync.transport;

import java.io.IOException;

/**
 * A large file's SHA-256 on the remote differed from what was read locally, twice: the file's
 * failure, not the session's. The temporary file was removed; nothing was put in place.
 */
public final class ContentMismatch extends IOException {
  public ContentMismatch(String path) {
    super(path + ": content on the remote differs from the source after two transfers (SHA-256 mismatch); not put in place");
  }
}
