package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;

/**
 * Results as laboratories write them are stored, typed where they have a numeric meaning; local
 * codes without a standard code are kept; the flag words hospitals use are understood. Each row's
 * expected stored values are written next to it.
 */
class TestResultsAsWritten {
  @TempDir static Path directory;

  private static IngestFixture fixture;

  @BeforeAll
  static void createHome() throws IOException {
    fixture = IngestFixture.create(directory);
  }

  @AfterAll
  static void close() {
    fixture.close();
  }

  /**
   * result cell ->
   * value_kind|value_numeric|value_comparator|value_text|value_low|value_high|value_titer|value_ordinal
   */
  private static final Map<String, String> RESULTS =
      new TreeMap<>(
          Map.ofEntries(
              Map.entry("95.5", "number|95.5||||||"),
              Map.entry("<60", "censored|60.0|<|||||"),
              Map.entry(">= 100", "censored|100.0|>=|||||"),
              Map.entry(">1000", "censored|1000.0|>|||||"),
              Map.entry("1+", "ordinal|||1+||||1.0"),
              Map.entry("2+", "ordinal|||2+||||2.0"),
              Map.entry("+++", "ordinal|||+++||||3.0"),
              Map.entry("TRACE", "ordinal|||TRACE||||0.5"),
              Map.entry("Neg", "ordinal|||Neg||||0.0"),
              Map.entry("0-2", "range|||0-2|0.0|2.0||"),
              Map.entry("10 - 20", "range|||10 - 20|10.0|20.0||"),
              Map.entry("1:80", "titer|||1:80|||80.0|"),
              Map.entry("<1:20", "titer||<|<1:20|||20.0|"),
              Map.entry("18/", "text|||18/||||"),
              Map.entry("\"neg, see comment\"", "text|||neg, see comment||||"),
              Map.entry("a=b", "text|||a=b||||"),
              Map.entry("See comments", "text|||See comments||||"),
              Map.entry("12.3.4", "text|||12.3.4||||"),
              Map.entry("POS", "text|||POS||||")));

  private static final String STORED =
      "concat_ws('|', coalesce(value_kind, ''), coalesce(value_numeric::VARCHAR, ''),"
          + " coalesce(value_comparator, ''), coalesce(value_text, ''), coalesce(value_low::VARCHAR, ''), coalesce(value_high::VARCHAR, ''),"
          + " coalesce(value_titer::VARCHAR, ''), coalesce(value_ordinal::VARCHAR, ''))";

  @Test
  void everyResultIsStoredAsWrittenAndTypedWhereItHasANumericMeaning() throws IOException {
    StringBuilder lines = new StringBuilder(IngestFixture.HEADER).append('\n');
    int patient = 0;
    for (String result : RESULTS.keySet()) {
      // a test without plausibility bounds, so that every form stands on its own
      lines.append(
          "P%d,E%d,5196-1,HBsAg,%s,,,,,2024-01-15 08:30:00,F,1970\n"
              .formatted(++patient, patient, result));
    }
    Path file = fixture.write("results.csv", lines.toString());
    IngestRun run = fixture.ingestExpecting(file, RESULTS.size(), RESULTS.size());
    assertThat(fixture.accepted(run, STORED)).containsExactlyInAnyOrderElementsOf(RESULTS.values());
  }

  @Test
  void resultKindsTheSourceDoesNotDeliverAreRejected() throws IOException {
    Path home = directory.resolve("kinds-home");
    Files.createDirectories(home);
    MedlakeHome medlake = MedlakeHome.open(home);
    Files.writeString(
        medlake.sources().resolve("h005.yaml"),
        """
        hospital-id: H005
        rules: {disabled: [collected-at-in-month], result-kinds: [number, censored]}
        columns: {patient-id: pid, test-code: loinc, test-name: name, result: value, collected-at: drawn}
        """);
    Path file = directory.resolve("kinds.csv");
    Files.writeString(
        file,
        "pid,loinc,name,value,drawn\nP1,5196-1,HBsAg,<0.5,2024-01-15 08:30:00\nP2,5196-1,HBsAg,NEG,2024-01-15 08:30:00\n");
    try (IngestService service = IngestService.open(medlake, (name, phase, fraction) -> {})) {
      IngestRun run =
          service.ingest(new IngestService.Delivery(file, "h005", YearMonth.of(2024, 1)));
      assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(run.rowsAccepted()).isEqualTo(1);
      assertThat(run.rejectedByReason()).containsExactly(Map.entry("INVALID_RESULT", 1L));
    }
  }

  @Test
  void flagWordsAreUnderstoodAndDeltaIsKeptApart() throws IOException {
    List<String> flags = List.of("abnormal", "High", "low", "critical high", "h", "delta", "", "N");
    StringBuilder lines = new StringBuilder(IngestFixture.HEADER).append('\n');
    int patient = 100;
    for (String flag : flags) {
      lines.append(
          "P%d,E%d,2345-7,Glucose,95,mg/dL,70,99,%s,2024-01-15 08:30:00,F,1970\n"
              .formatted(++patient, patient, flag));
    }
    lines.append("P199,E199,2345-7,Glucose,95,mg/dL,70,99,weird,2024-01-15 08:30:00,F,1970\n");
    Path file = fixture.write("flags.csv", lines.toString());
    IngestRun run = fixture.ingestExpecting(file, flags.size() + 1, flags.size());
    assertThat(run.rejectedByReason()).containsExactly(Map.entry("INVALID_FLAG", 1L));
    assertThat(fixture.accepted(run, "coalesce(abnormal_flag, '-') || coalesce(delta_flag, '')"))
        .containsExactlyInAnyOrder("A", "H", "L", "HH", "H", "-Y", "-", "N");
  }
}
