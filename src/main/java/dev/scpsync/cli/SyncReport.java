package dev.scpsync.cli;

import dev.scpsync.engine.SyncResult;
import dev.scpsync.plan.Plan;
import dev.scpsync.tree.Entry;
import java.io.PrintWriter;

/** The summary printed after a push or pull, and the dry-run listing. */
final class SyncReport {
  private SyncReport() {}

  static void printDryRun(PrintWriter out, Plan plan) {
    for (Entry e : plan.clear()) {
      out.println("replace  " + e.path());
    }
    for (Entry e : plan.mkdirs()) {
      out.println("mkdir    " + e.path() + "/");
    }
    for (Entry e : plan.files()) {
      out.println("send     " + e.path() + " (" + Sizes.bytes(e.size()) + ")");
    }
    for (Entry e : plan.symlinks()) {
      out.println("symlink  " + e.path() + " -> " + e.linkTarget());
    }
    for (Entry e : plan.attributes()) {
      out.println("attrs    " + e.path() + String.format(" (mode %04o)", e.mode()));
    }
    for (Entry e : plan.deletes()) {
      out.println("delete   " + e.path() + (e.isDirectory() ? "/" : ""));
    }
  }

  static String summary(String verb, String where, SyncResult r) {
    Plan p = r.plan();
    if (r.dryRun()) {
      return String.format("dry run, %s %s: would transfer %d files (%s), create %d directories, %d symlinks, set attributes on %d, delete %d",
          verb, where, p.files().size(), Sizes.bytes(p.fileBytes()), p.mkdirs().size(), p.symlinks().size(), p.attributes().size(),
          p.clear().size() + p.deletes().size());
    }
    String outcome = !r.matches() ? r.problems().size() + " problem(s); NOT in sync"
        : r.deletesRefused() > 0 ? "deletes refused (" + r.deletesRefused() + " withheld)"
        : !r.drift().isEmpty() ? r.drift().size() + " drifted path(s)"
        : "in sync";
    String unverified = r.unverified().isEmpty() ? ""
        : "; " + r.unverified().size() + " large file(s) unverified (size+mtime): the remote cannot compute SHA-256";
    String delta = r.deltas() == 0 ? ""
        : ", " + r.deltas() + " as delta: " + Sizes.bytes(r.bytesSent()) + " sent";
    return String.format("%s %s (%s): %d files (%s%s) transferred, %d directories created, %d symlinks, %d attributes set, %d renamed, %d deleted in %s (%s): %s%s",
        verb, where, r.protocol().name().toLowerCase(), r.filesTransferred(), Sizes.bytes(r.bytesTransferred()), delta,
        r.directoriesCreated(),
        r.symlinksCreated(), r.attributesSet(), r.renamed(), r.deleted(), Sizes.seconds(r.elapsed()), Sizes.rate(r.bytesTransferred(), r.elapsed()), outcome,
        unverified);
  }
}
