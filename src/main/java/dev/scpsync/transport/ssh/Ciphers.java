package dev.scpsync.transport.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;

/**
 * Cipher preference. AES-GCM first when the CPU has AES instructions (JCE's AES-GCM then runs at
 * several GB/s); chacha20-poly1305 first when it does not, as OpenSSH does.
 */
final class Ciphers {
  private Ciphers() {}

  static List<NamedFactory<Cipher>> preferred(List<String> requested) {
    List<String> names = requested.isEmpty() ? defaultOrder(cpuHasAes()) : requested;
    List<NamedFactory<Cipher>> factories = new ArrayList<>();
    for (String name : names) {
      BuiltinCiphers cipher = BuiltinCiphers.fromFactoryName(name);
      if (cipher == null || !cipher.isSupported() || cipher == BuiltinCiphers.none) {
        throw new IllegalArgumentException("unsupported cipher '" + name + "'; supported: " + String.join(", ", supportedNames()));
      }
      factories.add(cipher);
    }
    return factories;
  }

  static List<String> defaultOrder(boolean aesInstructions) {
    List<String> gcm = List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com");
    List<String> chacha = List.of("chacha20-poly1305@openssh.com");
    List<String> ctr = List.of("aes128-ctr", "aes192-ctr", "aes256-ctr");
    List<String> order = new ArrayList<>();
    order.addAll(aesInstructions ? gcm : chacha);
    order.addAll(aesInstructions ? chacha : gcm);
    order.addAll(ctr);
    order.removeIf(n -> {
      BuiltinCiphers c = BuiltinCiphers.fromFactoryName(n);
      return c == null || !c.isSupported();
    });
    return order;
  }

  static List<String> supportedNames() {
    List<String> names = new ArrayList<>();
    for (BuiltinCiphers c : BuiltinCiphers.VALUES) {
      if (c.isSupported() && c != BuiltinCiphers.none) {
        names.add(c.getName());
      }
    }
    return names;
  }

  /** Whether the CPU advertises AES instructions; assumed on non-Linux x86/ARM64 machines. */
  static boolean cpuHasAes() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      try {
        for (String line : Files.readAllLines(cpuinfo)) {
          String lower = line.toLowerCase(Locale.ROOT);
          if (lower.startsWith("flags") || lower.startsWith("features")) {
            return (" " + lower.substring(lower.indexOf(':') + 1) + " ").contains(" aes ");
          }
        }
      } catch (IOException e) {
        return true;
      }
      return false;
    }
    return true;
  }
}
