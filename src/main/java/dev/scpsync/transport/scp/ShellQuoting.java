package dev.scpsync.transport.scp;

/**
 * Quoting for the POSIX shell that runs every exec request on the server. Each remote path goes
 * into a command line or script as one single-quoted word, so that no byte of a file name is ever
 * interpreted by the shell: legacy scp clients pasted names unquoted into {@code scp -t} command
 * lines, which let a name like {@code $(reboot)} run (CVE-2020-15778).
 */
public final class ShellQuoting {
  private ShellQuoting() {}

  /** One shell word with exactly the characters of {@code s}: {@code '} becomes {@code '\''}. */
  public static String quote(String s) {
    if (s.indexOf('\0') >= 0) {
      // A C string ends at NUL: the word would silently lose its tail.
      throw new IllegalArgumentException("a NUL character cannot be passed to a remote command");
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
