package dev.scpsync.transport.ssh;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentConstants;
import org.apache.sshd.agent.SshAgentKeyConstraint;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.u2f.SecurityKeyPublicKey;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.BufferException;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a running ssh-agent (OpenSSH's, or anything speaking draft-miller-ssh-agent) that
 * reaches it over the Unix domain socket named by {@code SSH_AUTH_SOCK}, using only the JDK's Unix
 * domain socket channels.
 *
 * <p>We wrote it because MINA's own {@code UnixAgentFactory}/{@code AgentClient} goes through the
 * tomcat-apr native library (libtcnative): an extra native dependency per platform for what is a
 * dozen lines of framing over a socket the JDK has spoken since Java 16.
 *
 * <p>Only what a client authenticating with the user's keys needs is implemented: listing
 * identities and signing. {@link #addIdentity}, {@link #removeIdentity} and {@link
 * #removeAllIdentities} throw {@link UnsupportedOperationException}: scpsync uses the keys the user
 * loaded and must never change the user's agent; that is {@code ssh-add}'s job.
 *
 * <p>Thread-safe: requests are serialized on one connection, opened on first use and reopened after
 * a failure. A request blocks until the agent answers (an agent may legitimately wait for the user
 * to confirm a key); {@link #close()} from another thread, or interrupting the waiting thread, ends
 * the wait. Every failure is an {@link IOException} naming the socket and the step; messages and
 * logs never carry key material or the data being signed.
 */
final class UnixSocketAgent implements SshAgent {
  private static final Logger log = LoggerFactory.getLogger(UnixSocketAgent.class);

  /**
   * OpenSSH's agent refuses messages longer than this (AGENT_MAX_LEN in authfd.h); a longer reply
   * means the stream is out of step or the peer is not an agent, so we stop rather than allocate.
   */
  static final int MAX_MESSAGE_LENGTH = 256 * 1024;

  // Sign-request flags from draft-miller-ssh-agent section 5.3; MINA has no constants for them.
  static final int SSH_AGENT_RSA_SHA2_256 = 2;
  static final int SSH_AGENT_RSA_SHA2_512 = 4;

  // ssh.com's failure code, which OpenSSH's client also treats as a refusal.
  private static final int SSH_COM_AGENT2_FAILURE = 102;

  private final Path socketPath;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile SocketChannel channel;
  private volatile boolean closed;

  UnixSocketAgent(Path socketPath) {
    this.socketPath = Objects.requireNonNull(socketPath, "socketPath");
  }

  Path socketPath() {
    return socketPath;
  }

  /**
   * Lists the agent's keys with their comments. Keys of a type MINA cannot decode are left out (and
   * logged at debug level): one exotic key in the user's agent must not stop the others from being
   * offered.
   */
  @Override
  public List<Map.Entry<PublicKey, String>> getIdentities() throws IOException {
    String step = "list identities";
    Buffer reply = request(step, newMessage(SshAgentConstants.SSH2_AGENTC_REQUEST_IDENTITIES));
    try {
      expectType(step, reply, SshAgentConstants.SSH2_AGENT_IDENTITIES_ANSWER);
      long count = reply.getUInt();
      // Each identity takes at least two length prefixes; a larger count cannot be honest.
      if (count > reply.available() / 8) {
        throw failure(
            step, "reply claims " + count + " identities in " + reply.available() + " bytes", null);
      }
      List<Map.Entry<PublicKey, String>> identities = new ArrayList<>((int) count);
      for (long i = 0; i < count; i++) {
        byte[] blob = reply.getBytes();
        String comment = reply.getString();
        decodeKey(blob).ifPresent(key -> identities.add(Map.entry(key, comment)));
      }
      return List.copyOf(identities);
    } catch (BufferException e) {
      throw failure(step, "truncated reply", e);
    }
  }

  /**
   * Asks the agent to sign {@code data} with the private half of {@code key}.
   *
   * <p>For RSA keys, {@code algo} picks the hash through the request flags. The result is what
   * MINA's {@code PublicKeyIdentity} expects: the signature algorithm the agent reports, and the
   * signature bytes without that name (for FIDO security keys: the signature followed by the flags
   * byte and counter, which the verifier needs).
   *
   * @throws IllegalArgumentException if {@code algo} is not a signature algorithm for the key type
   * @throws IOException if the agent cannot be reached, refuses (for instance it does not hold the
   *     key), or answers something that is not a signature
   */
  @Override
  public Map.Entry<String, byte[]> sign(
      SessionContext session, PublicKey key, String algo, byte[] data) throws IOException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
    String keyType = KeyUtils.getKeyType(key);
    if (algo != null
        && !algo.isEmpty()
        && !Objects.equals(keyType, KeyUtils.getCanonicalKeyType(algo))) {
      throw new IllegalArgumentException(
          "signature algorithm " + algo + " does not apply to a " + keyType + " key");
    }
    String requested = algo == null || algo.isEmpty() ? keyType : algo;
    String step = "sign (" + requested + ") with " + keyType + " key " + fingerprint(key);
    Buffer message = newMessage(SshAgentConstants.SSH2_AGENTC_SIGN_REQUEST);
    message.putPublicKey(key);
    message.putBytes(data);
    message.putUInt(signFlags(algo));
    Buffer reply = request(step, message);
    try {
      expectType(step, reply, SshAgentConstants.SSH2_AGENT_SIGN_RESPONSE);
      Buffer blob = new ByteArrayBuffer(reply.getBytes());
      String algorithm = blob.getString();
      byte[] signature;
      if (key instanceof SecurityKeyPublicKey<?>) {
        // FIDO signatures are: string signature, byte flags, uint32 counter; all of it is verified.
        signature = blob.getCompactData();
        Buffer check = new ByteArrayBuffer(signature);
        check.getBytes();
        check.getByte();
        check.getUInt();
        if (check.available() > 0) {
          throw failure(step, check.available() + " unexpected bytes after the signature", null);
        }
      } else {
        signature = blob.getBytes();
        if (blob.available() > 0) {
          throw failure(step, blob.available() + " unexpected bytes after the signature", null);
        }
      }
      return Map.entry(algorithm, signature);
    } catch (BufferException e) {
      throw failure(step, "truncated reply", e);
    }
  }

  /** Always throws: scpsync never changes the user's agent (see the class comment). */
  @Override
  public void addIdentity(KeyPair key, String comment, SshAgentKeyConstraint... constraints) {
    throw new UnsupportedOperationException("scpsync does not add keys to ssh-agent; use ssh-add");
  }

  /** Always throws: scpsync never changes the user's agent (see the class comment). */
  @Override
  public void removeIdentity(PublicKey key) {
    throw new UnsupportedOperationException(
        "scpsync does not remove keys from ssh-agent; use ssh-add -d");
  }

  /** Always throws: scpsync never changes the user's agent (see the class comment). */
  @Override
  public void removeAllIdentities() {
    throw new UnsupportedOperationException(
        "scpsync does not remove keys from ssh-agent; use ssh-add -D");
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  /**
   * Closes the connection to the agent; the agent itself keeps running. Safe to call from any
   * thread and more than once; a request waiting for the agent fails with an {@link IOException}.
   */
  @Override
  public void close() throws IOException {
    closed = true;
    // Not under the lock: closing is how a request stuck waiting for the agent gets released.
    SocketChannel current = channel;
    if (current != null) {
      current.close();
    }
  }

  private Buffer request(String step, Buffer message) throws IOException {
    int length = message.wpos() - Integer.BYTES;
    int end = message.wpos();
    message.wpos(0);
    message.putUInt(length);
    message.wpos(end);

    lock.lock();
    try {
      SocketChannel ch = connection();
      try {
        ByteBuffer out = ByteBuffer.wrap(message.array(), 0, end);
        while (out.hasRemaining()) {
          ch.write(out);
        }
        ByteBuffer header = ByteBuffer.allocate(Integer.BYTES);
        readFully(ch, header, step);
        int replyLength = header.getInt(0);
        if (replyLength <= 0 || replyLength > MAX_MESSAGE_LENGTH) {
          throw failure(
              step,
              "reply length " + Integer.toUnsignedString(replyLength) + " is out of range",
              null);
        }
        ByteBuffer body = ByteBuffer.allocate(replyLength);
        readFully(ch, body, step);
        return new ByteArrayBuffer(body.array());
      } catch (IOException e) {
        // The stream may be mid-message; only a fresh connection is known to be in step.
        disconnect(ch);
        throw e instanceof AgentException ? e : failure(step, describe(e), e);
      }
    } finally {
      lock.unlock();
    }
  }

  private SocketChannel connection() throws IOException {
    SocketChannel current = channel;
    if (current != null && current.isOpen()) {
      return current;
    }
    if (closed) {
      throw failure("connect", "this agent client was closed", null);
    }
    SocketChannel opened = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      opened.connect(UnixDomainSocketAddress.of(socketPath));
    } catch (IOException e) {
      opened.close();
      throw failure("connect", describe(e), e);
    }
    channel = opened;
    // close() sets closed then reads channel; we write channel then read closed: one of us sees
    // the other, so a connection opened concurrently with close() cannot leak.
    if (closed) {
      disconnect(opened);
      throw failure("connect", "this agent client was closed", null);
    }
    return opened;
  }

  private void disconnect(SocketChannel ch) {
    if (channel == ch) {
      channel = null;
    }
    try {
      ch.close();
    } catch (IOException e) {
      log.debug("ssh-agent at {}: closing the connection failed: {}", socketPath, e.toString());
    }
  }

  private void readFully(SocketChannel ch, ByteBuffer buffer, String step) throws IOException {
    while (buffer.hasRemaining()) {
      if (ch.read(buffer) < 0) {
        throw failure(step, "agent closed the connection", null);
      }
    }
  }

  private void expectType(String step, Buffer reply, int expected) throws IOException {
    int type = reply.getUByte();
    if (type == expected) {
      return;
    }
    if (type == SshAgentConstants.SSH_AGENT_FAILURE
        || type == SshAgentConstants.SSH2_AGENT_FAILURE
        || type == SSH_COM_AGENT2_FAILURE) {
      throw failure(step, "agent refused (SSH_AGENT_FAILURE)", null);
    }
    throw failure(
        step,
        "unexpected reply "
            + SshAgentConstants.getCommandMessageName(type)
            + ", wanted "
            + SshAgentConstants.getCommandMessageName(expected),
        null);
  }

  private Optional<PublicKey> decodeKey(byte[] blob) {
    String keyType = "unreadable";
    try {
      keyType = new ByteArrayBuffer(blob).getString();
      return Optional.of(new ByteArrayBuffer(blob).getRawPublicKey());
    } catch (SshException | BufferException e) {
      // Each blob is length-prefixed, so skipping one leaves the rest of the reply readable.
      log.debug(
          "ssh-agent at {}: skipping a key of type {} that MINA cannot decode ({})",
          socketPath,
          keyType,
          e.getClass().getSimpleName());
      return Optional.empty();
    }
  }

  // A public-key hash identifies the key to the user without carrying any secret.
  private static String fingerprint(PublicKey key) {
    return KeyUtils.getFingerPrint(key);
  }

  private static int signFlags(String algo) {
    if (algo == null) {
      return 0;
    }
    return switch (algo) {
      case "rsa-sha2-256", "rsa-sha2-256-cert-v01@openssh.com" -> SSH_AGENT_RSA_SHA2_256;
      case "rsa-sha2-512", "rsa-sha2-512-cert-v01@openssh.com" -> SSH_AGENT_RSA_SHA2_512;
      default -> 0;
    };
  }

  private static Buffer newMessage(byte type) {
    Buffer message = new ByteArrayBuffer();
    message.putUInt(0); // length, filled in by request()
    message.putByte(type);
    return message;
  }

  private static String describe(IOException e) {
    // The JDK's socket messages ("No such file or directory", "Connection refused") read well on
    // their own; fall back to the type for the ones without a message.
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private AgentException failure(String step, String detail, Throwable cause) {
    return new AgentException("ssh-agent at " + socketPath + ": " + step + ": " + detail, cause);
  }

  /** Marks an exception that already names the socket and step, so it is not wrapped twice. */
  private static final class AgentException extends IOException {
    AgentException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
