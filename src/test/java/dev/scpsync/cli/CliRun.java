package dev.scpsync.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** Runs the CLI in-process with captured output. */
record CliRun(int exitCode, String out, String err) {
  static CliRun of(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliRun(code, out.toString(), err.toString());
  }

  static CliRun of(String... parts) {
    return of(List.of(parts));
  }

  static List<String> args(Object... parts) {
    List<String> list = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof List<?> l) {
        l.forEach(x -> list.add(String.valueOf(x)));
      } else {
        list.add(String.valueOf(p));
      }
    }
    return list;
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
  }
}
