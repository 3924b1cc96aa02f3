package org.medlake.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.medlake.core.config.Environment;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.MedlakeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "medlake",
    mixinStandardHelpOptions = true,
    version = "medlake 0.1.0",
    description = "Hospital lab results: ingest, validate, pseudonymize, store in Iceberg, share.",
    subcommands = {
      DemoCommand.class,
      GenerateCommand.class,
      IngestCommand.class,
      WatchCommand.class,
      CompletenessCommand.class,
      ConfigCommand.class,
      MaintainCommand.class,
      RemapCommand.class,
      DoctorCommand.class,
      TablesCommand.class,
      DescribeCommand.class,
      SnapshotsCommand.class,
      QueriesCommand.class,
      QueryCommand.class,
      SqlCommand.class,
      ServeCommand.class,
      UsersCommand.class,
      TokensCommand.class,
      RunsCommand.class,
      RejectsCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class MedlakeCommand {
  @Option(
      names = "--home",
      description = "medlake home directory (default: $MEDLAKE_HOME or ./medlake-data)",
      scope = CommandLine.ScopeType.INHERIT)
  Path home;

  @Option(
      names = "--debug",
      description = "print stack traces",
      scope = CommandLine.ScopeType.INHERIT)
  boolean debug;

  /** The process environment, read once: the home's overrides and secrets come from it. */
  final Environment environment;

  MedlakeCommand(Environment environment) {
    this.environment = environment;
  }

  MedlakeHome openHome() {
    return openHome(Map.of());
  }

  /**
   * The home, with configuration keys the command line sets ({@code server.port} from {@code serve
   * --port}).
   */
  MedlakeHome openHome(Map<String, String> commandLine) {
    Path root =
        Optional.ofNullable(home)
            .or(() -> environment.get(MedlakeHome.ENVIRONMENT_VARIABLE).map(Path::of))
            .orElse(MedlakeHome.DEFAULT);
    return MedlakeHome.open(root, environment, commandLine);
  }

  static int execute(String... args) {
    return execute(Environment.system(), args);
  }

  /** Runs the command line in this process with the given environment (tests pass their own). */
  static int execute(Environment environment, String... args) {
    if (java.util.Arrays.asList(args).contains("--debug")) {
      // read by logback.xml before the first logger exists
      System.setProperty("MEDLAKE_LOG_LEVEL", "debug");
    }
    CommandLine commandLine = new CommandLine(new MedlakeCommand(environment));
    commandLine.setExecutionExceptionHandler(
        (exception, line, parseResult) -> {
          MedlakeCommand top = line.getCommandSpec().root().commandLine().getCommand();
          if (top.debug) {
            exception.printStackTrace(line.getErr());
          }
          line.getErr().println("medlake: error: " + oneLine(exception));
          return exitCode(exception);
        });
    return commandLine.execute(args);
  }

  /**
   * The exit code of a failure: 2 bad input or configuration, 3 an external system, 4 internal, 1
   * otherwise.
   */
  static int exitCode(Throwable exception) {
    return exception instanceof MedlakeException medlake ? medlake.errorCode().exitCode() : 1;
  }

  private static String oneLine(Throwable exception) {
    String message =
        exception.getMessage() == null
            ? exception.getClass().getSimpleName()
            : exception.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
