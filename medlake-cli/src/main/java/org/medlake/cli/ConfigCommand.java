package org.medlake.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medlake.core.config.ConfigFile;
import org.medlake.core.config.Environment;
import org.medlake.core.config.MedlakeHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "config",
    description =
        "Print the effective configuration: every key's value and where it came from (default, medlake.yaml line,"
            + " MEDLAKE_* environment variable, command line); secrets only as set or not set.")
final class ConfigCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--json", description = "print JSON")
  boolean json;

  @Override
  public Integer call() {
    MedlakeHome home = parent.openHome();
    Map<String, String> secrets = new LinkedHashMap<>();
    for (String variable : Environment.SECRET_VARIABLES) {
      secrets.put(variable, parent.environment.get(variable).isPresent() ? "******" : "not set");
    }
    if (json) {
      Output.json(
          System.out,
          Map.of(
              "file", home.configFile().toString(), "keys", home.settings(), "secrets", secrets));
      return 0;
    }
    System.out.println("# " + home.configFile());
    List<List<String>> rows = new ArrayList<>();
    for (ConfigFile.Setting setting : home.settings()) {
      rows.add(List.of(setting.key(), setting.value(), setting.origin()));
    }
    secrets.forEach((variable, state) -> rows.add(List.of(variable, state, "secret")));
    Output.table(System.out, List.of("KEY", "VALUE", "ORIGIN"), rows);
    return 0;
  }
}
