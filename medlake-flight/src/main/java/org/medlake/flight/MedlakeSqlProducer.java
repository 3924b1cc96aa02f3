package org.medlake.flight;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.FlightSqlProducer;
import org.apache.arrow.flight.sql.NoOpFlightSqlProducer;
import org.apache.arrow.flight.sql.SqlInfoBuilder;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.AuditEvent;
import org.medlake.platform.store.AuditLog;
import org.medlake.platform.store.AuditOutcome;
import org.medlake.platform.store.User;
import org.medlake.query.QueryService;
import org.medlake.query.cost.Estimate;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

/**
 * Flight SQL statements and prepared statements, answered as {@code POST /api/v1/sql} answers them:
 * analysts and admins only, through the SQL guard against the tables the role may read, the role's
 * scan budget, the result cache, and one audit event per statement (its fingerprint, never its text
 * or rows). The statement runs when the client asks for its flight info, so a refusal comes back at
 * once with the HTTP API's one-line reason; the rows wait under a one-time ticket that only the
 * same user can redeem. The body's {@code as_of} and {@code dry_run} of the HTTP API are the call
 * headers {@value CallerMiddleware#AS_OF} and {@value CallerMiddleware#DRY_RUN}.
 */
final class MedlakeSqlProducer extends NoOpFlightSqlProducer {
  private static final int BATCH_ROWS = 8_192;

  private final QueryService queries;
  private final FlightAuthenticator authenticator;
  private final FlightAccess access;
  private final AuditLog audit;
  private final Clock clock;
  private final BufferAllocator allocator;
  private final SqlInfoBuilder sqlInfo;
  private final Cache<ByteString, Prepared> prepared =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterAccess(Duration.ofHours(8)).build();

  /** Results of prepared statements, run when prepared, for their first execution. */
  private final Cache<ByteString, QueryResult> primed =
      Caffeine.newBuilder()
          .maximumWeight(WAITING_CELLS)
          .weigher((ByteString handle, QueryResult result) -> cells(result))
          .expireAfterWrite(Duration.ofMinutes(5))
          .build();

  private final Cache<ByteString, Answer> answers =
      Caffeine.newBuilder()
          .maximumWeight(WAITING_CELLS)
          .weigher((ByteString handle, Answer answer) -> cells(answer.result()))
          .expireAfterWrite(Duration.ofMinutes(5))
          .build();

  /**
   * Cells that results not yet fetched may hold, over all clients (each at most {@code
   * query.max-rows} rows): beyond it the oldest are dropped and their clients told to ask again, so
   * that clients who never fetch cannot fill the heap.
   */
  private static final long WAITING_CELLS = 20_000_000;

  private static int cells(QueryResult result) {
    long cells = (long) result.table().rows().size() * Math.max(1, result.table().columns().size());
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, cells));
  }

  private record Prepared(String sql, String owner) {}

  private record Answer(QueryResult result, String owner) {}

  MedlakeSqlProducer(
      QueryService queries,
      FlightAuthenticator authenticator,
      FlightAccess access,
      AuditLog audit,
      Clock clock,
      BufferAllocator allocator) {
    this.queries = requireNonNull(queries, "queries is null");
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.access = requireNonNull(access, "access is null");
    this.audit = requireNonNull(audit, "audit is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.sqlInfo =
        new SqlInfoBuilder()
            .withFlightSqlServerName("medlake")
            .withFlightSqlServerVersion(
                java.util.Objects.requireNonNullElse(
                    MedlakeSqlProducer.class.getPackage().getImplementationVersion(), "dev"))
            .withFlightSqlServerArrowVersion(
                java.util.Objects.requireNonNullElse(
                    Schema.class.getPackage().getImplementationVersion(), ""))
            .withFlightSqlServerReadOnly(true);
  }

  @Override
  public FlightInfo getFlightInfoStatement(
      FlightSql.CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    return run(command.getQuery(), context, descriptor);
  }

  /**
   * Runs the statement at once (audited) and answers with its result's schema: the JDBC driver
   * tells queries from updates by it. The rows wait for the first execution of the handle.
   */
  @Override
  public void createPreparedStatement(
      FlightSql.ActionCreatePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    try {
      User user = authenticator.user(context.peerIdentity());
      QueryResult result = execute(user, request.getQuery(), context);
      ByteString handle = ByteString.copyFromUtf8(UUID.randomUUID().toString());
      prepared.put(handle, new Prepared(request.getQuery(), user.name()));
      primed.put(handle, result);
      listener.onNext(
          new Result(
              Any.pack(
                      FlightSql.ActionCreatePreparedStatementResult.newBuilder()
                          .setPreparedStatementHandle(handle)
                          .setDatasetSchema(
                              ByteString.copyFrom(
                                  ArrowResults.schema(result.table().columns())
                                      .serializeAsMessage()))
                          .build())
                  .toByteArray()));
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e, access));
    }
  }

  @Override
  public void closePreparedStatement(
      FlightSql.ActionClosePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    prepared.invalidate(request.getPreparedStatementHandle());
    primed.invalidate(request.getPreparedStatementHandle());
    listener.onCompleted();
  }

  @Override
  public FlightInfo getFlightInfoPreparedStatement(
      FlightSql.CommandPreparedStatementQuery command,
      CallContext context,
      FlightDescriptor descriptor) {
    Prepared statement = prepared.getIfPresent(command.getPreparedStatementHandle());
    if (statement == null || !statement.owner().equals(context.peerIdentity())) {
      throw FlightErrors.toFlight(
          new MedlakeException(ErrorCode.NOT_FOUND, "No such prepared statement"), access);
    }
    User user = authenticator.user(context.peerIdentity());
    QueryResult result = primed.asMap().remove(command.getPreparedStatementHandle());
    if (result == null) {
      result = execute(user, statement.sql(), context);
    }
    return ticket(result, user, descriptor);
  }

  @Override
  public void getStreamStatement(
      FlightSql.TicketStatementQuery ticket, CallContext context, ServerStreamListener listener) {
    Answer answer = answers.asMap().remove(ticket.getStatementHandle());
    if (answer == null || !answer.owner().equals(context.peerIdentity())) {
      listener.error(
          FlightErrors.toFlight(
              new MedlakeException(
                  ErrorCode.NOT_FOUND,
                  "No such result; it is sent once, within 5 minutes; run the statement again"),
              access));
      return;
    }
    var table = answer.result().table();
    try (VectorSchemaRoot root =
        VectorSchemaRoot.create(ArrowResults.schema(table.columns()), allocator)) {
      listener.start(root);
      for (int from = 0; from < table.rows().size() && !listener.isCancelled(); ) {
        int to = Math.min(from + BATCH_ROWS, table.rows().size());
        ArrowResults.fill(root, table, from, to);
        listener.putNext();
        from = to;
      }
      listener.completed();
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e, access));
    }
  }

  @Override
  public FlightInfo getFlightInfoSqlInfo(
      FlightSql.CommandGetSqlInfo request, CallContext context, FlightDescriptor descriptor) {
    return new FlightInfo(
        FlightSqlProducer.Schemas.GET_SQL_INFO_SCHEMA,
        descriptor,
        List.of(new FlightEndpoint(new Ticket(Any.pack(request).toByteArray()))),
        -1,
        -1);
  }

  @Override
  public void getStreamSqlInfo(
      FlightSql.CommandGetSqlInfo command, CallContext context, ServerStreamListener listener) {
    sqlInfo.send(command.getInfoList(), listener);
  }

  @Override
  public FlightInfo getFlightInfoTables(
      FlightSql.CommandGetTables request, CallContext context, FlightDescriptor descriptor) {
    authenticator.user(context.peerIdentity());
    return metadata(
        request.getIncludeSchema()
            ? FlightSqlProducer.Schemas.GET_TABLES_SCHEMA
            : FlightSqlProducer.Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
        request,
        descriptor);
  }

  @Override
  public void getStreamTables(
      FlightSql.CommandGetTables command, CallContext context, ServerStreamListener listener) {
    try {
      CatalogMetadata.tables(
          command, authenticator.user(context.peerIdentity()).role(), allocator, listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e, access));
    }
  }

  @Override
  public FlightInfo getFlightInfoTableTypes(
      FlightSql.CommandGetTableTypes request, CallContext context, FlightDescriptor descriptor) {
    return metadata(FlightSqlProducer.Schemas.GET_TABLE_TYPES_SCHEMA, request, descriptor);
  }

  @Override
  public void getStreamTableTypes(CallContext context, ServerStreamListener listener) {
    CatalogMetadata.tableTypes(allocator, listener);
  }

  @Override
  public FlightInfo getFlightInfoCatalogs(
      FlightSql.CommandGetCatalogs request, CallContext context, FlightDescriptor descriptor) {
    return metadata(FlightSqlProducer.Schemas.GET_CATALOGS_SCHEMA, request, descriptor);
  }

  @Override
  public void getStreamCatalogs(CallContext context, ServerStreamListener listener) {
    CatalogMetadata.empty(FlightSqlProducer.Schemas.GET_CATALOGS_SCHEMA, allocator, listener);
  }

  @Override
  public FlightInfo getFlightInfoSchemas(
      FlightSql.CommandGetDbSchemas request, CallContext context, FlightDescriptor descriptor) {
    return metadata(FlightSqlProducer.Schemas.GET_SCHEMAS_SCHEMA, request, descriptor);
  }

  @Override
  public void getStreamSchemas(
      FlightSql.CommandGetDbSchemas command, CallContext context, ServerStreamListener listener) {
    CatalogMetadata.empty(FlightSqlProducer.Schemas.GET_SCHEMAS_SCHEMA, allocator, listener);
  }

  /** A metadata answer's flight: the command itself is the ticket. */
  private static FlightInfo metadata(
      Schema schema, com.google.protobuf.Message command, FlightDescriptor descriptor) {
    return new FlightInfo(
        schema,
        descriptor,
        List.of(new FlightEndpoint(new Ticket(Any.pack(command).toByteArray()))),
        -1,
        -1);
  }

  /** Runs {@code sql} for the caller, audits it, and keeps its rows under a new ticket. */
  private FlightInfo run(String sql, CallContext context, FlightDescriptor descriptor) {
    User user = authenticator.user(context.peerIdentity());
    return ticket(execute(user, sql, context), user, descriptor);
  }

  /** Runs {@code sql} as {@code user} would over HTTP, with one audit event either way. */
  private QueryResult execute(User user, String sql, CallContext context) {
    AuditEvent.Builder event =
        AuditEvent.builder()
            .at(Instant.now(clock))
            .actor(user.name())
            .role(user.role())
            .clientIp(CallerMiddleware.of(context))
            .action(AuditAction.SQL)
            .sqlFingerprint(sql)
            .detail("interface", FlightSqlEndpoint.INTERFACE);
    QueryResult result;
    try {
      access.admitUser(user.name());
      if (user.role() != Role.ANALYST && user.role() != Role.ADMIN) {
        // the words of the HTTP API's refusal of POST /api/v1/sql
        throw new MedlakeException(
            ErrorCode.FORBIDDEN,
            "This needs the role analyst or admin; you are " + user.role().key());
      }
      QueryRequest request = QueryService.sqlRequest(sql, user.role(), asOf(context));
      if (CallerMiddleware.dryRun(context)) {
        Estimate estimate = queries.estimate(request, user.role());
        // what the HTTP API's audit records of a dry run
        audit.record(
            event
                .outcome(AuditOutcome.OK)
                .detail("dry_run", true)
                .detail("estimated_bytes", estimate.projectedBytes())
                .detail("estimated_files", estimate.files())
                .build());
        return estimateResult(estimate);
      }
      result = queries.run(request, user.role(), user.role().key(), UnaryOperator.identity());
    } catch (RuntimeException e) {
      audit.record(
          event
              .outcome(refused(e) ? AuditOutcome.REFUSED : AuditOutcome.FAILED)
              .detail("error_code", FlightErrors.code(e))
              .build());
      throw FlightErrors.toFlight(e, access);
    }
    // written before any row leaves: an access that cannot be audited is not answered
    audit.record(event.outcome(AuditOutcome.OK).details(scan(result)).build());
    access.answered(result);
    return result;
  }

  /**
   * The snapshot the call asks for ({@link CallerMiddleware#AS_OF}), read as the HTTP API reads
   * {@code as_of}; the current one without the header.
   */
  private static AsOf asOf(CallContext context) {
    return CallerMiddleware.asOf(context)
        .map(
            text -> {
              try {
                return AsOf.parse(text);
              } catch (org.medlake.core.error.ValidationException e) {
                // AsOf's words name the CLI's option
                throw new org.medlake.core.error.ValidationException(
                    e.getMessage().replace("--as-of", CallerMiddleware.AS_OF));
              }
            })
        .orElse(AsOf.CURRENT);
  }

  /**
   * A dry run's answer: one row with the fields of the HTTP API's estimate (docs/api.md), so that a
   * notebook or BI tool sees what a statement would scan and cost before it runs it.
   */
  static QueryResult estimateResult(Estimate estimate) {
    ResultTable table =
        new ResultTable(
            List.of(
                new ResultColumn("files", "BIGINT"),
                new ResultColumn("total_files", "BIGINT"),
                new ResultColumn("bytes", "BIGINT"),
                new ResultColumn("projected_bytes", "BIGINT"),
                new ResultColumn("price_usd", "DOUBLE"),
                new ResultColumn("full_scan", "BOOLEAN"),
                new ResultColumn("budget_bytes", "BIGINT")),
            List.of(
                List.of(
                    estimate.files(),
                    estimate.totalFiles(),
                    estimate.bytes(),
                    estimate.projectedBytes(),
                    estimate.priceUsd(),
                    estimate.fullScan(),
                    estimate.budgetBytes())));
    return new QueryResult(table, 0, 0, Map.of(), 0, false, 0);
  }

  /** The flight of {@code result}: its rows under a new one-time ticket of {@code user}. */
  private FlightInfo ticket(QueryResult result, User user, FlightDescriptor descriptor) {
    ByteString handle = ByteString.copyFromUtf8(UUID.randomUUID().toString());
    answers.put(handle, new Answer(result, user.name()));
    Ticket ticket =
        new Ticket(
            Any.pack(FlightSql.TicketStatementQuery.newBuilder().setStatementHandle(handle).build())
                .toByteArray());
    return new FlightInfo(
        ArrowResults.schema(result.table().columns()),
        descriptor,
        List.of(new FlightEndpoint(ticket)),
        -1,
        result.table().rows().size());
  }

  private static boolean refused(RuntimeException error) {
    return error instanceof MedlakeException medlake
        && medlake.errorCode().httpStatus() >= 400
        && medlake.errorCode().httpStatus() < 500;
  }

  /** What the HTTP API's audit records of a query, and the rows sent. */
  private static Map<String, Object> scan(QueryResult result) {
    Map<String, Object> details = new LinkedHashMap<>(result.auditDetails());
    details.put("rows", result.table().rows().size());
    return details;
  }
}
