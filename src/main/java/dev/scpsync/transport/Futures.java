package dev.scpsync.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waits for a task and rethrows its failure as it was thrown, interrupt status kept. */
public final class Futures {
  private Futures() {}

  public static <T> T await(Future<T> f) throws IOException {
    return await(f, "interrupted");
  }

  /** @param interrupted the message of the exception thrown when the wait is interrupted */
  public static <T> T await(Future<T> f, String interrupted) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(interrupted);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(cause);
    }
  }
}
