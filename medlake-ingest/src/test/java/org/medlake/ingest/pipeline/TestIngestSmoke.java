package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.ingest.ledger.IngestRun;
import org.medlake.ingest.ledger.RunStatus;

class TestIngestSmoke {
  @TempDir Path directory;

  @Test
  void ingestsSmallFile() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    Files.writeString(home.sources().resolve("h001.yaml"), """
        source: h001
        hospital-id: H001
        time-zone: Europe/Berlin
        timestamp-formats: ["%Y-%m-%d %H:%M:%S"]
        columns:
          patient-id: patient_id
          encounter-id: encounter_id
          test-code: loinc
          test-name: test_name
          result: result
          unit: unit
          ref-low: ref_low
          ref-high: ref_high
          abnormal-flag: flag
          collected-at: collected_at
          patient-sex: sex
          patient-birth-year: birth_year
        """);
    Path landing = home.landing().resolve("h001/2024-01");
    Files.createDirectories(landing);
    Files.writeString(landing.resolve("labs.csv"), """
        patient_id,encounter_id,loinc,test_name,result,unit,ref_low,ref_high,flag,collected_at,sex,birth_year
        P1,E1,2345-7,Glucose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970
        P1,E1,2345-7,Glucose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970
        P2,E2,2345-8,Glucose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970
        P3,E3,718-7,"Hemoglobin, blood",<2.0,g/dL,12,16,L,2024-01-16 09:00:00,M,1920
        P4,E4,718-7,Hemoglobin,12.1,g/dL,12,16,N,2024-02-16 09:00:00,M,1950,extra
        ,E5,718-7,Hemoglobin,x1,g/dL,12,16,N,2024-01-16 09:00:00,M,1950
        """);
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      List<IngestRun> runs = service.ingest(service.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
      IngestRun run = runs.get(0);
      System.out.println(run);
      assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(run.rowsRead()).isEqualTo(6);
      assertThat(run.rowsAccepted()).isEqualTo(2);
      List<IngestRun> again = service.ingest(service.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
      assertThat(again.get(0).status()).isEqualTo(RunStatus.DUPLICATE);
    }
  }
}
