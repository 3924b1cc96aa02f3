package org.medlake.ingest.automation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.YearMonth;
import java.util.List;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceRegistry;
import org.medlake.platform.store.RunLedger;

/**
 * Which hospitals (one per source mapping that declares {@code cadence: monthly}) have no succeeded
 * run for a delivery month. One-off sources ({@code cadence: none}, the default) are never missing.
 */
public final class CompletenessCheck {
  /** A hospital that has not delivered for a month. */
  public record MissingDelivery(
      @JsonProperty("source_id") String source,
      @JsonProperty("hospital_id") String hospitalId,
      @JsonProperty("month") String month) {
    public MissingDelivery {
      requireNonNull(source, "source is null");
      requireNonNull(hospitalId, "hospitalId is null");
      requireNonNull(month, "month is null");
    }
  }

  private CompletenessCheck() {}

  public static List<MissingDelivery> missing(
      SourceRegistry sources, RunLedger ledger, YearMonth month) {
    List<IngestRun> runs = ledger.list();
    return sources.all().stream()
        .filter(mapping -> mapping.cadence() == SourceMapping.Cadence.MONTHLY)
        .filter(mapping -> runs.stream().noneMatch(run -> delivered(run, mapping, month)))
        .map(
            mapping ->
                new MissingDelivery(mapping.source(), mapping.hospitalId(), month.toString()))
        .toList();
  }

  private static boolean delivered(IngestRun run, SourceMapping mapping, YearMonth month) {
    return run.status() == RunStatus.SUCCEEDED
        && run.hospitalId().equals(mapping.hospitalId())
        && run.month().equals(month.toString());
  }
}
