package org.medlake.flight;

import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.RequestContext;

/**
 * Keeps what the producer needs of a call's headers: the client's address (audit) and the statement
 * options a client sends as headers, as the HTTP API takes them in the request body: {@value
 * #AS_OF} (the body's {@code as_of}: a snapshot id or a timestamp) and {@value #DRY_RUN} (the
 * body's {@code dry_run}). The Flight SQL JDBC driver sends every URL parameter it does not know
 * itself as such a header, ADBC the {@code adbc.flight.sql.rpc.call_header.<name>} options.
 */
final class CallerMiddleware implements FlightServerMiddleware {
  static final FlightServerMiddleware.Key<CallerMiddleware> KEY =
      FlightServerMiddleware.Key.of("medlake-caller");

  /** Header of the snapshot a statement reads, as the HTTP API's {@code as_of}. */
  static final String AS_OF = "medlake-as-of";

  /** Header that asks for the estimate instead of the rows, as the HTTP API's {@code dry_run}. */
  static final String DRY_RUN = "medlake-dry-run";

  private final String clientAddress;
  private final String asOf;
  private final String dryRun;

  private CallerMiddleware(String clientAddress, String asOf, String dryRun) {
    this.clientAddress = clientAddress;
    this.asOf = asOf;
    this.dryRun = dryRun;
  }

  String clientAddress() {
    return clientAddress;
  }

  @Override
  public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

  @Override
  public void onCallCompleted(CallStatus status) {}

  @Override
  public void onCallErrored(Throwable error) {}

  static final class Factory implements FlightServerMiddleware.Factory<CallerMiddleware> {
    @Override
    public CallerMiddleware onCallStarted(
        CallInfo info, CallHeaders incomingHeaders, RequestContext context) {
      String address = incomingHeaders.get(ClientAddresses.HEADER);
      return new CallerMiddleware(
          address == null ? "" : address, incomingHeaders.get(AS_OF), incomingHeaders.get(DRY_RUN));
    }
  }

  static String of(org.apache.arrow.flight.FlightProducer.CallContext context) {
    CallerMiddleware caller = context.getMiddleware(KEY);
    return caller == null ? "" : caller.clientAddress();
  }

  /** The {@value #AS_OF} header of the call, if it has one that is not blank. */
  static java.util.Optional<String> asOf(
      org.apache.arrow.flight.FlightProducer.CallContext context) {
    CallerMiddleware caller = context.getMiddleware(KEY);
    return java.util.Optional.ofNullable(caller == null ? null : caller.asOf)
        .map(String::strip)
        .filter(value -> !value.isEmpty());
  }

  /**
   * Whether the call asks for a dry run: {@value #DRY_RUN} {@code true} (or {@code 1}); any value
   * but those and {@code false}/{@code 0} is refused, so that a misspelt request never runs the
   * query it meant to price.
   */
  static boolean dryRun(org.apache.arrow.flight.FlightProducer.CallContext context) {
    CallerMiddleware caller = context.getMiddleware(KEY);
    String value = caller == null || caller.dryRun == null ? "" : caller.dryRun.strip();
    switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "", "false", "0" -> {
        return false;
      }
      case "true", "1" -> {
        return true;
      }
      default ->
          throw new org.medlake.core.error.ValidationException(
              DRY_RUN + " must be true or false, not '" + value + "'");
    }
  }
}
