package org.medlake.query.structured;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.contract.LabResults;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.query.QueryService;
import org.medlake.query.cost.Estimate;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.privacy.CountNoise;
import org.medlake.query.privacy.SmallCellSuppressor;
import org.medlake.query.privacy.SuppressedResult;
import org.medlake.query.privacy.SuppressionPolicy;
import org.medlake.query.result.ResultTable;

/**
 * Runs structured queries for a caller: viewers get aggregates only, always with the distinct
 * patient count that small-cell suppression needs, and suppressed; analysts and admins get what
 * they ask for; uploaders get nothing.
 */
public final class StructuredQueryRunner {
  private static final String PATIENTS = "patients";

  private final QueryService service;
  private final QueryConfig config;
  private final StructuredQueryCompiler compiler;

  public StructuredQueryRunner(QueryService service, QueryConfig config) {
    this.service = service;
    this.config = config;
    this.compiler =
        new StructuredQueryCompiler(
            LabResults.CONTRACT, (int) Math.min(Integer.MAX_VALUE, config.maxRows()));
  }

  public Estimate estimate(StructuredQuery query, Role role, AsOf asOf) {
    return service.estimate(request(shape(query, role), asOf), role);
  }

  public QueryResult run(StructuredQuery query, Role role, AsOf asOf) {
    StructuredQuery shaped = shape(query, role);
    CompiledQuery compiled = compiler.compile(shaped);
    QueryRequest request = request(compiled, shaped, asOf);
    if (role != Role.VIEWER) {
      return service.run(request, role, role.key(), UnaryOperator.identity());
    }
    List<String> measures = new ArrayList<>(compiled.outputColumns());
    measures.removeAll(compiled.groupColumns());
    measures.remove(PATIENTS);
    SmallCellSuppressor suppressor = new SmallCellSuppressor(config.minimumCellPatients());
    CountNoise noise = service.countNoise();
    Set<String> counts = new HashSet<>();
    counts.add(PATIENTS);
    shaped.aggregates().stream()
        .filter(aggregate -> aggregate.function() == AggregateFunction.COUNT)
        .findAny()
        .ifPresent(count -> counts.add("count"));
    return service.run(
        request,
        role,
        SuppressionPolicy.policy(role, config),
        result -> {
          SuppressedResult suppressed =
              suppressor.suppress(result.table(), compiled.groupColumns(), PATIENTS, measures);
          ResultTable shown =
              noise.apply(
                  suppressed.table(), compiled.groupColumns(), counts, suppressed.suppressedRows());
          return new QueryResult(
              shown,
              result.filesScanned(),
              result.bytesScanned(),
              result.snapshotIds(),
              result.elapsedMs(),
              result.cached(),
              suppressed.suppressedCells());
        });
  }

  private StructuredQuery shape(StructuredQuery query, Role role) {
    switch (role) {
      case UPLOADER ->
          throw new MedlakeException(ErrorCode.QUERY_REFUSED, "Uploaders cannot query lab results");
      case VIEWER -> {
        if (query.rowLevel()) {
          throw new MedlakeException(
              ErrorCode.QUERY_REFUSED,
              "Viewers may run aggregate queries only: add group_by or aggregates");
        }
        AggregateOnlyRules.check(query);
        if (query.aggregates().stream()
            .noneMatch(
                aggregate -> aggregate.function() == AggregateFunction.COUNT_DISTINCT_PATIENTS)) {
          List<StructuredQuery.Aggregate> aggregates = new ArrayList<>(query.aggregates());
          aggregates.add(StructuredQuery.Aggregate.of(AggregateFunction.COUNT_DISTINCT_PATIENTS));
          return new StructuredQuery(
              query.table(),
              query.filters(),
              query.groupBy(),
              aggregates,
              query.columns(),
              query.orderBy(),
              query.limit());
        }
        return query;
      }
      case ANALYST, ADMIN -> {
        return query;
      }
    }
    throw new IllegalStateException(role.name());
  }

  private QueryRequest request(StructuredQuery query, AsOf asOf) {
    return request(compiler.compile(query), query, asOf);
  }

  private static QueryRequest request(CompiledQuery compiled, StructuredQuery query, AsOf asOf) {
    Set<String> columns = new HashSet<>(query.columns());
    query
        .filters()
        .forEach(
            filter -> {
              if (filter.column().equals(QueryValidator.AGE_BAND_FILTER)) {
                // the age at collection, from the birth year and the collection time
                columns.add(QueryValidator.BIRTH_YEAR_COLUMN);
                columns.add(QueryValidator.COLLECTED_AT_COLUMN);
              } else {
                columns.add(filter.column());
              }
            });
    query.groupBy().forEach(group -> columns.add(group.column()));
    query.aggregates().stream()
        .filter(aggregate -> aggregate.column() != null)
        .forEach(
            aggregate -> {
              columns.add(aggregate.column());
              // the unit it is grouped by, and for a canonical unit the test whose unit it may
              // stand for
              ValueUnits.unitColumn(aggregate.column())
                  .ifPresent(
                      unit -> {
                        columns.add(unit);
                        if (unit.equals(QueryValidator.CANONICAL_UNIT_COLUMN)) {
                          columns.add(QueryValidator.TEST_CODE_COLUMN);
                        }
                      });
            });
    if (query.aggregates().stream()
        .anyMatch(aggregate -> aggregate.function() == AggregateFunction.COUNT_DISTINCT_PATIENTS)) {
      columns.add("patient_key");
    }
    if (query.rowLevel() && query.columns().isEmpty()) {
      columns.clear();
    }
    return new QueryRequest(
        compiled.sql(),
        compiled.parameters(),
        Set.of(query.table()),
        Map.of(query.table(), compiled.predicates()),
        columns,
        asOf);
  }
}
