package org.medlake.flight;

import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.RequestContext;

/** Keeps the client's address of a call for the producer (audit). */
final class CallerMiddleware implements FlightServerMiddleware {
  static final FlightServerMiddleware.Key<CallerMiddleware> KEY =
      FlightServerMiddleware.Key.of("medlake-caller");

  private final String clientAddress;

  private CallerMiddleware(String clientAddress) {
    this.clientAddress = clientAddress;
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
      return new CallerMiddleware(address == null ? "" : address);
    }
  }

  static String of(org.apache.arrow.flight.FlightProducer.CallContext context) {
    CallerMiddleware caller = context.getMiddleware(KEY);
    return caller == null ? "" : caller.clientAddress();
  }
}
