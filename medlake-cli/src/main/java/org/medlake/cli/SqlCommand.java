package org.medlake.cli;

import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.QueryService;
import org.medlake.query.cache.ResultCaches;
import org.medlake.query.engine.QueryRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "sql",
    description =
        "Run one ad-hoc SELECT over the catalogue tables (analysts and admins; --role admin also reads lab_results_rejects).")
final class SqlCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @picocli.CommandLine.Mixin QueryOptions options;

  @Parameters(paramLabel = "SQL", description = "a single SELECT statement")
  String sql;

  @Override
  public Integer call() {
    Role caller = options.role();
    if (caller != Role.ANALYST && caller != Role.ADMIN) {
      throw new MedlakeException(
          ErrorCode.QUERY_REFUSED,
          "Ad-hoc SQL needs the analyst or admin role, not " + caller.key());
    }
    MedlakeHome home = parent.openHome();
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      QueryRequest request = QueryService.sqlRequest(sql, caller, options.asOf());
      QueryService service =
          new QueryService(
              lakehouse, home.config().query(), ResultCaches.create(home.config().query()));
      if (options.dryRun) {
        ResultPrinter.print(service.estimate(request, caller), System.out);
        return 0;
      }
      ResultPrinter.print(
          service.run(request, caller, caller.key(), UnaryOperator.identity()),
          options.format(),
          System.out,
          System.err);
    }
    return 0;
  }
}
