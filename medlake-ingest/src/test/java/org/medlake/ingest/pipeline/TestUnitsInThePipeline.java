package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.ledger.IngestRun;

/**
 * A test delivered in another unit is converted to its canonical unit, checked for plausibility
 * there, and never rejected for its unit: glucose of 5.5 mmol/L (99 mg/dL) is plausible, although
 * 5.5 is below the catalogue's minimum of 10 in mg/dL.
 */
class TestUnitsInThePipeline {
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

  @Test
  void unitsAreNormalizedConvertedAndNeverAReasonToReject() throws IOException {
    Path file =
        fixture.write(
            "units.csv",
            IngestFixture.csv(
                "P1,E1,2345-7,Glucose,99,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970",
                "P2,E2,2345-7,Glucose,99,MG/DL,70,99,N,2024-01-15 08:30:00,F,1970",
                "P3,E3,2345-7,Glucose,5.5,mmol/l,3.9,5.5,N,2024-01-15 08:30:00,F,1970",
                "P4,E4,2345-7,Glucose,99,,70,99,N,2024-01-15 08:30:00,F,1970",
                "P5,E5,2345-7,Glucose,99,furlongs,70,99,N,2024-01-15 08:30:00,F,1970",
                "P6,E6,2345-7,Glucose,99,10*3/uL,70,99,N,2024-01-15 08:30:00,F,1970",
                "P7,E7,2160-0,Creatinine,88.4,umol/L,45,84,N,2024-01-15 08:30:00,F,1970",
                "P8,E8,2345-7,Glucose,9000,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970",
                "P9,E9,2345-7,Glucose,500,mmol/L,70,99,N,2024-01-15 08:30:00,F,1970",
                "P10,E10,5196-1,HBsAg,NEG,,,,N,2024-01-15 08:30:00,F,1970"));
    IngestRun run = fixture.ingestExpecting(file, 10, 8);
    assertThat(run.rejectedByReason()).containsExactly(Map.entry("IMPLAUSIBLE_VALUE", 2L));
    assertThat(
            fixture.accepted(
                run,
                "concat_ws('|', test_code, coalesce(unit, '-'), coalesce(round(value_canonical, 3)::VARCHAR, '-'),"
                    + " coalesce(unit_canonical, '-'), unit_status)"))
        .containsExactlyInAnyOrder(
            "2345-7|mg/dL|99.0|mg/dL|CANONICAL",
            "2345-7|mg/dL|99.0|mg/dL|CANONICAL",
            "2345-7|mmol/L|99.086|mg/dL|CONVERTED",
            "2345-7|-|99.0|mg/dL|ASSUMED_CANONICAL",
            "2345-7|furlongs|-|-|UNKNOWN_UNIT",
            "2345-7|10*3/uL|-|-|INCOMPATIBLE_UNIT",
            "2160-0|umol/L|1.0|mg/dL|CONVERTED",
            "5196-1|-|-|-|NO_CANONICAL_UNIT");
  }
}
