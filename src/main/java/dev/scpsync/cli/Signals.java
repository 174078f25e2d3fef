package dev.scpsync.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * Signal handling for long-running commands: the first SIGINT/SIGTERM asks for a clean stop, a
 * second one ends the process at once; SIGHUP reloads the config of {@code run}.
 *
 * <p>Written by hand because Java has no public signal API and shutdown hooks cannot do this: a
 * second SIGTERM that arrives while a hook runs is ignored until the hook finishes (measured on JDK
 * 25), so a user who presses Ctrl-C twice would still wait for the batch in progress. {@code
 * sun.misc.Signal} (module jdk.unsupported, meant for exactly this) is reached by reflection, which
 * keeps javac's "internal proprietary API" warnings out of the build. Where it is missing the
 * handlers are simply not installed and the JVM's defaults apply.
 *
 * <p>{@link #close} puts the previous handlers back (tests run commands in-process).
 */
final class Signals implements AutoCloseable {
  /** What a handled signal does. */
  interface Handler {
    /**
     * Called on the JVM's signal thread.
     *
     * @param name "INT" or "TERM"
     * @param count how many of these two signals have arrived so far, this one included
     */
    void signalled(String name, int count);
  }

  /** Each installed signal with the handler it had before. */
  private final List<Object[]> previous = new ArrayList<>();
  private Method restore;
  private int count;

  private Signals() {}

  /** Installs {@code action} for SIGHUP (the reload signal of daemons). */
  static Signals onHangup(Runnable action) {
    Signals signals = new Signals();
    signals.install((name, count) -> action.run(), "HUP");
    return signals;
  }

  /** Installs {@code handler} for SIGINT and SIGTERM. */
  static Signals onInterrupt(Handler handler) {
    Signals signals = new Signals();
    signals.install(handler, "INT", "TERM");
    return signals;
  }

  private void install(Handler handler, String... names) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      Method getName = signalClass.getMethod("getName");
      InvocationHandler forward = (proxy, method, args) -> {
        if (method.getName().equals("handle")) {
          int n;
          synchronized (this) {
            n = ++count;
          }
          handler.signalled((String) getName.invoke(args[0]), n);
          return null;
        }
        return switch (method.getName()) {
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> "scpsync signal handler";
        };
      };
      Object ours = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, forward);
      for (String name : names) {
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        try {
          previous.add(new Object[] {signal, handle.invoke(null, signal, ours)});
        } catch (java.lang.reflect.InvocationTargetException e) {
          // The signal is ignored (a background job's SIGINT) or reserved: leave it as it is.
        }
      }
      this.restore = handle;
    } catch (ReflectiveOperationException | RuntimeException e) {
      // No sun.misc.Signal here: the JVM's default handling (a shutdown) stays.
    }
  }

  @Override
  public void close() {
    for (Object[] p : previous) {
      try {
        restore.invoke(null, p[0], p[1]);
      } catch (ReflectiveOperationException e) {
        // nothing sensible to do: the process is about to end anyway
      }
    }
    previous.clear();
  }
}
