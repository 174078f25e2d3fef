package dev.scpsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scpsync.config.Config.PlacementConfig.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  /** Stands in for the transport's parser: a spec needs a ':'. */
  private static final Function<String, String> SYNTAX = s -> s.contains(":") ? null : "malformed target '" + s + "'";

  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("scpsync.yaml"), yaml);
  }

  private String error(String yaml) throws IOException {
    Path file = write(yaml);
    return assertThatThrownBy(() -> ConfigLoader.load(file, SYNTAX)).isInstanceOf(ConfigException.class)
        .actual().getMessage();
  }

  @Test
  void theDocumentedExampleIsValid() throws Exception {
    Config c = ConfigLoader.load(Path.of("docs/scpsync.example.yaml"), SYNTAX);
    assertThat(c.targets()).extracting(Config.TargetConfig::name).containsExactly("web1", "web2", "nas");
    assertThat(c.targets().get(2).protocol()).isEqualTo("scp");
    assertThat(c.targets().get(2).parallel()).isEqualTo(4);
    assertThat(c.placement().mode()).isEqualTo(Mode.MIRROR);
    assertThat(c.source()).isEqualTo(Path.of("docs/site").toAbsolutePath());
    assertThat(c.debounce()).isEqualTo(Duration.ofMillis(20));
    assertThat(c.excludes()).containsExactly("*.tmp", "node_modules/");
  }

  @Test
  void defaultsFillWhatIsLeftOutAndPathsAreTakenFromTheFilesDirectory() throws Exception {
    Config c = ConfigLoader.load(write("""
        source: site
        targets:
          - target: a:/x
          - target: b:/y
        placement: {mode: shard, replicas: 2}
        """), SYNTAX);
    assertThat(c.source()).isEqualTo(dir.resolve("site"));
    assertThat(c.targets()).extracting(Config.TargetConfig::name).containsExactly("target-1", "target-2");
    assertThat(c.placement()).isEqualTo(new Config.PlacementConfig(Mode.SHARD, 2, null));
    assertThat(c.http()).isEqualTo("127.0.0.1:8730");
    assertThat(c.verifyEvery()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.delete()).isFalse();
    assertThat(c.agent()).isTrue();
    assertThat(c.chunkSize()).isEqualTo(8L << 20);
    assertThat(c.bwlimit()).isZero();
    assertThat(c.compression()).isEqualTo("off");
    assertThat(c.delta()).isTrue();
  }

  @Test
  void transferSizesAreReadAsTheFlagsReadThemAndCheckedWhereTheyStand() throws Exception {
    Config c = ConfigLoader.load(write("""
        source: site
        transfer: {chunk-size: 16M, bwlimit: 500K, compression: auto, delta: false}
        targets: [{target: a:/x}]
        """), SYNTAX);
    assertThat(c.chunkSize()).isEqualTo(16L << 20);
    assertThat(c.bwlimit()).isEqualTo(500L << 10);
    assertThat(c.compression()).isEqualTo("auto");
    assertThat(c.delta()).isFalse();
    assertThat(error("""
        source: site
        transfer: {chunk-size: 1K}
        targets: [{target: a:/x}]
        """)).contains(":2:24: transfer.chunk-size '1K': at least 64K");
    assertThat(error("""
        source: site
        transfer: {bwlimit: fast}
        targets: [{target: a:/x}]
        """)).contains(":2:21: transfer.bwlimit: not a size");
  }

  @Test
  void parallelIsANumberOfChannelsForAllTargetsOrOneAndIsCheckedWhereItStands() throws Exception {
    Config c = ConfigLoader.load(write("""
        source: site
        transfer: {parallel: 3}
        targets:
          - {name: near, target: a:/x, parallel: 8}
          - {name: far, target: b:/x}
        """), SYNTAX);
    assertThat(c.parallel()).isEqualTo(3);
    assertThat(c.targets()).extracting(Config.TargetConfig::parallel).containsExactly(8, 0);
    assertThat(ConfigLoader.load(write("source: site\ntargets: [{target: a:/x}]\n"), SYNTAX).parallel())
        .as("left out: the transport's default").isZero();
    assertThat(error("""
        source: site
        targets:
          - name: web
            target: a:/x
            parallel: 17
        """)).contains("scpsync.yaml:5:15: targets[0].parallel 17: SSH channels at once per target, 1 to 16");
    assertThat(error("""
        source: site
        transfer: {parallel: 0}
        targets: [{target: a:/x}]
        """)).contains("scpsync.yaml:2:22: transfer.parallel 0: SSH channels at once per target, 1 to 16");
    assertThat(error("""
        source: site
        targets: [{target: a:/x, parallel: many}]
        """)).contains("scpsync.yaml:2:36: bad value for targets[0].parallel");
    assertThat(error("""
        source: site
        targets: [{target: a:/x, parallel: 2.5}]
        """)).contains("scpsync.yaml:2:36: bad value for targets[0].parallel").doesNotContain("CoercionConfig");
  }

  @Test
  void anUnknownKeyIsNamedWithItsLineColumnAndTheKeysAllowedThere() throws Exception {
    String message = error("""
        source: site
        targets:
          - name: web1
            target: a:/x
            protcol: sftp
        """);
    assertThat(message).startsWith(dir.resolve("scpsync.yaml") + ":5:5: unknown key 'protcol' in targets[0]")
        .contains("allowed: after-sync, name, parallel, protocol, target");
  }

  @Test
  void badValuesAreNamedWithTheirLocationAndWhatIsAllowed() throws Exception {
    assertThat(error("""
        source: site
        transfer:
          protocol: ftp
        targets: [{target: a:/x}]
        """)).contains("scpsync.yaml:3:13: transfer.protocol 'ftp': allowed: auto, sftp, scp");
    assertThat(error("""
        source: site
        transfer:
          compression: sometimes
        targets: [{target: a:/x}]
        """)).contains("scpsync.yaml:3:16: transfer.compression 'sometimes': allowed: off, on, auto");
    assertThat(error("""
        source: site
        delete: maybe
        targets: [{target: a:/x}]
        """)).contains("scpsync.yaml:2:9: bad value for delete");
    assertThat(error("""
        source: site
        watch: {debounce: fast}
        targets: [{target: a:/x}]
        """)).contains("scpsync.yaml:2:19: watch.debounce: 'fast' is not a duration");
    assertThat(error("""
        source: site
        transfer: {max-delete: lots}
        targets: [{target: a:/x}]
        """)).contains(":2:24: transfer.max-delete 'lots'");
  }

  @Test
  void targetsMustHaveUniqueNamesAndParseableSpecs() throws Exception {
    assertThat(error("""
        source: site
        targets:
          - {name: web, target: a:/x}
          - {name: web, target: b:/x}
        """)).contains(":4:12: targets[1].name 'web' is used twice");
    assertThat(error("""
        source: site
        targets:
          - name: web
            target: no-colon-here
        """)).contains(":4:13: targets[0].target: malformed target 'no-colon-here'");
    assertThat(error("""
        source: site
        targets:
          - {name: "bad name!", target: a:/x}
        """)).contains("targets[0].name 'bad name!'");
    assertThat(error("source: site\n")).contains("'targets' is missing");
    assertThat(error("targets: [{target: a:/x}]\n")).contains("'source' is missing");
  }

  @Test
  void placementSettingsMustFitTheMode() throws Exception {
    assertThat(error("""
        source: site
        placement: {mode: shard, replicas: 3}
        targets: [{target: a:/x}, {target: b:/x}]
        """)).contains(":2:36: placement.replicas 3: between 1 and the number of targets (2)");
    assertThat(error("""
        source: site
        placement: {mode: mirror, replicas: 2}
        targets: [{target: a:/x}, {target: b:/x}]
        """)).contains("apply to modes shard and balance");
    assertThat(error("""
        source: site
        placement: {mode: scatter}
        targets: [{target: a:/x}]
        """)).contains("placement.mode 'scatter': allowed: mirror, shard, balance");
  }

  @Test
  void whatIsNotYamlOrEmptyIsSaidSo() throws Exception {
    assertThat(error("source: [unclosed\n")).contains("not valid YAML");
    assertThat(error("")).contains("the file is empty");
  }
}
