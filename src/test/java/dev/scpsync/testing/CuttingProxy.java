package dev.scpsync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback in front of a test server that counts the bytes a client sends and can
 * cut a connection after a given number of them, as a dropped link would (both sockets are closed
 * abruptly mid-stream), throttle what clients send, as a slow link would, or hold every byte for a
 * while in both directions, as a long link would. Loopback only; the machine's own network is
 * never shaped.
 */
public final class CuttingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final AtomicLong upstream = new AtomicLong();
  private final AtomicLong cutAfter = new AtomicLong(-1);
  private final AtomicInteger cuts = new AtomicInteger();
  private volatile long bytesPerSecond;
  private volatile long delayNanos;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private CuttingProxy(ServerSocket listener, int targetPort) {
    this.listener = listener;
    this.targetPort = targetPort;
    this.acceptor = Thread.ofVirtual().name("cutting-proxy").start(this::accept);
  }

  /** Listens on a free loopback port and forwards every connection to {@code targetPort}. */
  public static CuttingProxy to(int targetPort) throws IOException {
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    return new CuttingProxy(s, targetPort);
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Bytes clients sent through the proxy so far (SSH framing included). */
  public long upstreamBytes() {
    return upstream.get();
  }

  /** How many connections were cut. */
  public int cuts() {
    return cuts.get();
  }

  /**
   * Cuts the connection that carries the {@code bytes}-th client byte from now on (once); the
   * next connection goes through untouched unless armed again.
   */
  public void cutAfter(long bytes) {
    cutAfter.set(upstream.get() + bytes);
  }

  /** Limits what clients send to about {@code rate} bytes a second (0: no limit), as a slow link would. */
  public void throttle(long rate) {
    bytesPerSecond = rate;
  }

  /**
   * Holds what either side sends for {@code oneWay} before passing it on (a round trip takes twice
   * that), for connections made from now on; nothing else is limited, as on a long fat link.
   */
  public void delay(Duration oneWay) {
    delayNanos = oneWay.toNanos();
  }

  /** A copy of a server's known_hosts that names the proxy's port instead of the server's. */
  public Path knownHosts(Path serverKnownHosts, Path dir) throws IOException {
    String text = Files.readString(serverKnownHosts, StandardCharsets.UTF_8)
        .replace("]:" + targetPort + " ", "]:" + port() + " ");
    Path copy = dir.resolve("known_hosts-proxy-" + port());
    Files.writeString(copy, text);
    return copy;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
        open.add(client);
        open.add(server);
        Thread.ofVirtual().start(() -> pump(client, server, true));
        Thread.ofVirtual().start(() -> pump(server, client, false));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(Socket from, Socket to, boolean fromClient) {
    byte[] buf = new byte[64 * 1024];
    long delay = delayNanos;
    DelayLine line = null;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      if (delay > 0) {
        line = new DelayLine(out, delay, to);
        out = line;
      }
      int n;
      while ((n = in.read(buf)) > 0) {
        if (fromClient) {
          long limit = cutAfter.get();
          long before = upstream.get();
          if (limit >= 0 && before + n >= limit) {
            int pass = (int) Math.max(0, limit - before);
            out.write(buf, 0, pass);
            upstream.addAndGet(pass);
            cutAfter.set(-1);
            cuts.incrementAndGet();
            from.setSoLinger(true, 0); // RST, as a dropped link looks to the client
            line = null;
            return;
          }
          upstream.addAndGet(n);
          long rate = bytesPerSecond;
          if (rate > 0) {
            Thread.sleep(Math.max(1, n * 1000L / rate));
          }
        }
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // one side closed: close the other
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(from);
      if (line != null) {
        line.close(); // what is still on its way arrives, then the other side is closed
      } else {
        closeQuietly(to);
      }
    }
  }

  /** Passes each write on {@code delay} after it was made, from a thread of its own. */
  private static final class DelayLine extends OutputStream {
    private record Piece(long due, byte[] data) {}

    private final BlockingQueue<Piece> pieces = new LinkedBlockingQueue<>();

    private final long delay;

    DelayLine(OutputStream out, long delay, Socket socket) {
      this.delay = delay;
      Thread.ofVirtual().name("proxy-delay").start(() -> {
        try {
          while (true) {
            Piece p = pieces.take();
            long wait = p.due() - System.nanoTime();
            if (wait > 0) {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            if (p.data() == null) {
              break;
            }
            out.write(p.data());
          }
        } catch (IOException | InterruptedException e) {
          // the other side is gone, or the proxy is closing
        }
        closeQuietly(socket);
      });
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      pieces.add(new Piece(System.nanoTime() + delay, java.util.Arrays.copyOfRange(b, off, off + len)));
    }

    /** The end of the stream passes on after the delay too (then the socket is closed). */
    @Override
    public void close() {
      pieces.add(new Piece(System.nanoTime() + delay, null));
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : open) {
      closeQuietly(s);
    }
    try {
      acceptor.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
