package org.medlake.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.TableContract;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.QueryService;
import org.medlake.query.cache.ResultCaches;
import org.medlake.query.catalog.CatalogService;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.plan.PruningPredicate;
import org.medlake.query.sql.GuardedSql;
import org.medlake.query.sql.SqlGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "sql", description = "Run one ad-hoc SELECT over the catalogue tables (analysts and admins).")
final class SqlCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @picocli.CommandLine.Mixin QueryOptions options;

  @Parameters(paramLabel = "SQL", description = "a single SELECT statement")
  String sql;

  @Override
  public Integer call() {
    Role caller = options.role();
    if (caller != Role.ANALYST && caller != Role.ADMIN) {
      throw new MedlakeException(ErrorCode.QUERY_REFUSED, "Ad-hoc SQL needs the analyst or admin role, not " + caller.key());
    }
    MedlakeHome home = parent.openHome();
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      Set<String> tables = new CatalogService(lakehouse).visibleTables(caller).stream().map(TableContract::name).collect(Collectors.toSet());
      GuardedSql guarded = new SqlGuard(tables, SqlGuard.defaultFunctions()).check(sql);
      Map<String, List<PruningPredicate>> predicates = new HashMap<>();
      guarded.tables().forEach(table -> predicates.put(table, guarded.predicates()));
      QueryRequest request = new QueryRequest(guarded.sql(), List.of(), guarded.tables(), predicates, Set.of(),
          options.asOf());
      QueryService service = new QueryService(lakehouse, home.config().query(), ResultCaches.create(home.config().query()));
      if (options.dryRun) {
        ResultPrinter.print(service.estimate(request, caller), System.out);
        return 0;
      }
      ResultPrinter.print(service.run(request, caller, caller.key(), UnaryOperator.identity()),
          options.format(), System.out, System.err);
    }
    return 0;
  }
}
