package dev.scpsync.cli;

import dev.scpsync.config.Config;
import dev.scpsync.engine.Placement;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code scpsync placement PATH... -c FILE}: which targets hold each path under the config's placement. */
@Command(name = "placement", mixinStandardHelpOptions = true,
    description = "Print which targets hold each PATH (relative to the source) under the config's placement.")
final class PlacementCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The config file (YAML).")
  Path file;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Paths relative to the source root, e.g. img/logo.png.")
  List<String> paths;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Config config = RunCommand.load(file);
    Placement placement = RunCommand.placement(config, config.targets().stream().map(Config.TargetConfig::name).toList());
    for (String p : paths) {
      String path = p.replaceAll("^\\./", "").replaceAll("^/+", "").replaceAll("/+$", "");
      out.println(path + "\t" + String.join(" ", placement.targetsFor(path)));
    }
    out.flush();
    return ExitCodes.OK;
  }
}
