package org.medlake.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.QueryService;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.predefined.PredefinedQueries;
import org.medlake.query.predefined.PredefinedQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "query", description = "Run a predefined query (see medlake queries).")
final class QueryCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @picocli.CommandLine.Mixin QueryOptions options;

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(
      names = "--param",
      paramLabel = "KEY=VALUE",
      description = "a parameter, e.g. --param hospitals=H001,H002 --param from=2024-01-01")
  Map<String, String> arguments = new LinkedHashMap<>();

  @Option(
      names = "--policy",
      paramLabel = "aggregate|full",
      description =
          "aggregate: answer as an aggregate-only caller, with small-cell suppression (the viewer role's policy)")
  String policy;

  @Override
  public Integer call() {
    MedlakeHome home = parent.openHome();
    PredefinedQuery query = PredefinedQueries.load(home.queries()).find(name);
    QueryRequest request = PredefinedQueries.bind(query, arguments, options.asOf());
    Role caller = "aggregate".equals(policy) ? Role.VIEWER : options.role();
    if (policy != null && !policy.equals("aggregate") && !policy.equals("full")) {
      throw new org.medlake.core.error.ValidationException(
          "--policy must be aggregate or full, not '" + policy + "'");
    }
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      QueryService service =
          new QueryService(
                  lakehouse,
                  home.config().query(),
                  org.medlake.query.cache.ResultCaches.create(home.config().query()))
              .withNoiseKey(
                  org.medlake.query.privacy.CountNoise.keyFrom(
                      org.medlake.core.vault.PseudonymKey.load(
                          home.pseudonymKeyFile(),
                          home.environment()
                              .get(org.medlake.core.vault.PseudonymKey.ENVIRONMENT_VARIABLE))));
      if (options.dryRun) {
        ResultPrinter.print(service.estimate(request, caller), System.out);
        return 0;
      }
      ResultPrinter.print(
          service.runPredefined(query, request, caller), options.format(), System.out, System.err);
    }
    return 0;
  }
}
