package dev.scpsync.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real oracle: the same .gitignore and tree given to {@code git check-ignore} and to us. Every
 * path (files, directories, the directories in between) must get the same answer, and the scanner
 * must keep exactly the paths git does not ignore.
 */
class GitAgreementTest {
  private static final Path GIT = Path.of("/usr/bin/git");

  private static final List<String> GITIGNORE =
      List.of(
          "# build output",
          "*.log",
          "!important.log",
          "/build/",
          "!/build/x.c",
          "out/",
          "docs/**/*.tmp",
          "**/cache",
          "logs/**",
          "!logs/keep/",
          "*.bak",
          "!/root-keep.bak",
          "tmp*",
          "!tmp/",
          "a/b/c",
          "x/**/y",
          "",
          "\\#hash",
          "\\!bang",
          "sp\\ ",
          "trailing   ",
          " lead",
          "[Tt]humbs.db",
          "file[0-9].txt",
          "file[!0-9].dat",
          "?.q",
          "z[]x]",
          "*.[oa]",
          "vendor/*",
          "!vendor/ours/",
          "data/[[:upper:]]*.csv",
          "[[:space:]]s",
          "deep/**/leaf/",
          "nested/*/deep");

  /** Files; a trailing '/' makes an (empty) directory. */
  private static final List<String> TREE =
      List.of(
          "app.log",
          "src/app.log",
          "important.log",
          "src/important.log",
          "build/x.c",
          "src/build/y.c",
          "out/a",
          "src/out",
          "docs/a.tmp",
          "docs/x/a.tmp",
          "docs/x/y/a.tmp",
          "docs/a.txt",
          "cache",
          "src/cache/z",
          "logs/a.txt",
          "logs/keep/b.txt",
          "x.bak",
          "root-keep.bak",
          "src/root-keep.bak",
          "tmpfile",
          "tmp/inner.txt",
          "src/tmpdir/q",
          "tmp2/",
          "a/b/c",
          "z/a/b/c",
          "x/y",
          "x/m/y",
          "x/m/n/y",
          "xy",
          "#hash",
          "!bang",
          "sp ",
          "sp",
          "trailing",
          "trailing  ",
          " lead",
          "lead",
          "Thumbs.db",
          "thumbs.db",
          "src/Thumbs.db",
          "file1.txt",
          "filea.txt",
          "file1.dat",
          "filea.dat",
          "a.q",
          "ab.q",
          "z]",
          "zx",
          "zy",
          "m.o",
          "m.a",
          "m.c",
          "vendor/lib/x",
          "vendor/ours/y",
          "vendor/readme",
          "data/A.csv",
          "data/a.csv",
          "sub/data/B.csv",
          "\ts",
          "xs",
          "deep/p/leaf/f",
          "deep/leaf",
          "deep/leaf2/f",
          "nested/p/deep",
          "nested/p/q/deep",
          "readme.md",
          "src/main.c");

  @TempDir Path tmp;

  @Test
  void everyPathIsExcludedExactlyWhenGitIgnoresIt() throws Exception {
    requireGit();
    Path work = Files.createDirectories(tmp.resolve("work"));
    Set<String> all = new TreeSet<>();
    for (String p : TREE) {
      Path target = work.resolve(p);
      if (p.endsWith("/")) {
        Files.createDirectories(target);
      } else {
        Files.createDirectories(target.getParent());
        Files.writeString(target, p);
      }
      // Every directory on the way is a path too: git must agree on those first.
      for (String q = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
          !q.isEmpty();
          q = q.contains("/") ? q.substring(0, q.lastIndexOf('/')) : "") {
        all.add(q);
      }
    }
    Files.write(work.resolve(".gitignore"), GITIGNORE);
    all.add(".gitignore");

    Set<String> ignoredByGit = gitCheckIgnore(work, all);
    ExcludeRules ours = ExcludeRules.load(work, List.of(), List.of(work.resolve(".gitignore")));

    List<String> disagreements = new ArrayList<>();
    for (String p : all) {
      boolean dir = Files.isDirectory(work.resolve(p), LinkOption.NOFOLLOW_LINKS);
      boolean excluded = ours.excludesWithAncestors(p, dir);
      if (excluded != ignoredByGit.contains(p)) {
        disagreements.add("'" + p + "': git " + ignoredByGit.contains(p) + ", ours " + excluded);
      }
    }
    assertThat(disagreements).as("paths where we and git disagree").isEmpty();
    // Guard against a vacuous pass (git ignoring nothing, or everything).
    assertThat(ignoredByGit).hasSizeBetween(30, all.size() - 30);

    Set<String> kept = new TreeSet<>(all);
    kept.removeAll(ignoredByGit);
    assertThat(new LocalScanner(ours).scan(work).asMap().keySet()).containsExactlyElementsOf(kept);
  }

  private void requireGit() {
    if (Files.isExecutable(GIT)) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(GIT + " is missing: CI must run the comparison with real git");
    }
    Assumptions.abort(GIT + " is missing, so there is nothing to compare against");
  }

  /** The paths git reports as ignored, asked all at once through NUL-separated stdin. */
  private Set<String> gitCheckIgnore(Path work, Set<String> paths) throws Exception {
    Path gitDir = tmp.resolve("repo.git");
    run(work, List.of(GIT.toString(), "init", "-q", "--bare", gitDir.toString()), null);
    Path input = tmp.resolve("paths");
    Files.writeString(input, String.join("\0", paths) + "\0");
    String out =
        run(
            work,
            List.of(
                GIT.toString(),
                "--git-dir=" + gitDir,
                "--work-tree=" + work,
                "-c",
                "core.excludesFile=/dev/null",
                "check-ignore",
                "--no-index",
                "-z",
                "--stdin"),
            input);
    Set<String> ignored = new TreeSet<>();
    for (String p : out.split("\0")) {
      if (!p.isEmpty()) {
        ignored.add(p);
      }
    }
    return ignored;
  }

  /** Runs git isolated from the user's and the system's configuration; exit 1 means "none". */
  private String run(Path dir, List<String> command, Path stdin)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.put("HOME", tmp.toString());
    env.put("XDG_CONFIG_HOME", tmp.toString());
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    Path out = tmp.resolve("git.out");
    Path err = tmp.resolve("git.err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.redirectInput(
        stdin == null
            ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
            : ProcessBuilder.Redirect.from(stdin.toFile()));
    Process process = pb.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("git timed out: " + command);
    }
    String stderr = Files.readString(err);
    assertThat(process.exitValue()).as("%s exit code (stderr: %s)", command, stderr).isIn(0, 1);
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
