package dev.scpsync.engine;

import dev.scpsync.plan.Plan;
import dev.scpsync.transport.FileTransfer;
import dev.scpsync.transport.TransferListener;
import dev.scpsync.tree.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Carries out a {@link Plan} on a {@link Destination} in the plan's order, counting results. */
final class PlanExecutor {
  private final Destination destination;
  private final SyncListener listener;
  private final List<Problem> problems = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger files = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();
  private int directories;
  private int symlinks;
  private int attributes;
  private int deleted;

  PlanExecutor(Destination destination, SyncListener listener) {
    this.destination = destination;
    this.listener = listener;
  }

  void execute(Plan plan) throws IOException {
    record(destination.delete(plan.clear()));
    deleted += plan.clear().size();
    List<Problem> mkdirProblems = destination.mkdirs(plan.mkdirs());
    record(mkdirProblems);
    directories = plan.mkdirs().size() - mkdirProblems.size();
    destination.transfer(plan.files(), new TransferListener() {
      @Override
      public void bytes(long count) {
        listener.bytes(count);
      }

      @Override
      public void done(FileTransfer file) {
        files.incrementAndGet();
        bytes.addAndGet(file.entry().size());
        listener.done(file);
      }

      @Override
      public void failed(FileTransfer file, Exception cause) {
        Problem p = new Problem(file.entry().path(), describe(cause));
        problems.add(p);
        listener.problem(p);
        listener.failed(file, cause);
      }
    });
    List<Problem> linkProblems = destination.symlinks(plan.symlinks());
    record(linkProblems);
    symlinks = plan.symlinks().size() - linkProblems.size();
    List<Problem> attrProblems = destination.setAttributes(plan.attributes());
    record(attrProblems);
    attributes = plan.attributes().size() - attrProblems.size();
    List<Problem> deleteProblems = destination.delete(plan.deletes());
    record(deleteProblems);
    deleted += plan.deletes().size() - deleteProblems.size();
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    if (e instanceof java.nio.file.NoSuchFileException nsf && nsf.getReason() != null) {
      return nsf.getReason();
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private void record(List<Problem> list) {
    for (Problem p : list) {
      problems.add(p);
      listener.problem(p);
    }
  }

  List<Problem> problems() {
    return problems;
  }

  int files() {
    return files.get();
  }

  long bytes() {
    return bytes.get();
  }

  int directories() {
    return directories;
  }

  int symlinks() {
    return symlinks;
  }

  int attributes() {
    return attributes;
  }

  int deleted() {
    return deleted;
  }
}
