package org.medlake.ingest.remap;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/**
 * What {@code medlake remap} did (or, for a dry run, would do) to one source's stored rows.
 *
 * @param codes local codes the dictionary now maps to a valid standard code, with the stored rows
 *     filled (or to fill)
 * @param invalidCodes local codes whose dictionary code has a wrong LOINC check digit: not applied,
 *     their rows stay unmapped
 * @param snapshotId the snapshot of the commit; empty for a dry run or when there was nothing to do
 */
public record RemapReport(
    @JsonProperty("source") String source,
    @JsonProperty("hospital_id") String hospitalId,
    @JsonProperty("dictionary") String dictionary,
    @JsonProperty("dry_run") boolean dryRun,
    @JsonProperty("remap_id") String remapId,
    @JsonProperty("codes") List<Code> codes,
    @JsonProperty("invalid_codes") List<Code> invalidCodes,
    @JsonProperty("files_rewritten") int filesRewritten,
    @JsonProperty("rows_remapped") long rowsRemapped,
    @JsonProperty("snapshot_id") Optional<Long> snapshotId) {
  public RemapReport {
    requireNonNull(source, "source is null");
    requireNonNull(hospitalId, "hospitalId is null");
    requireNonNull(dictionary, "dictionary is null");
    requireNonNull(remapId, "remapId is null");
    codes = List.copyOf(codes);
    invalidCodes = List.copyOf(invalidCodes);
    requireNonNull(snapshotId, "snapshotId is null");
  }

  /**
   * A local code, the standard code and name the dictionary gives it, and the stored rows without a
   * standard code that have it.
   */
  public record Code(
      @JsonProperty("local_code") String localCode,
      @JsonProperty("test_code") String testCode,
      @JsonProperty("test_name") Optional<String> testName,
      @JsonProperty("rows") long rows) {
    public Code {
      requireNonNull(localCode, "localCode is null");
      requireNonNull(testCode, "testCode is null");
      requireNonNull(testName, "testName is null");
    }
  }

  /** Whether the run found nothing to fill. */
  public boolean nothingToDo() {
    return rowsRemapped == 0;
  }
}
