package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.S3Server;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/** The object store stopped in the middle of a run (docs/reliability.md). */
class ObjectStoreOutageIT {
  @Test
  void aRunCutOffFromTheObjectStoreFailsNamingTheStoreAndTheOperation(@TempDir Path directory)
      throws Exception {
    S3Server s3 = S3Server.start(directory.resolve("s3"), "lake");
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        catalog:
          warehouse: s3://lake/warehouse
          s3:
            endpoint: %s
            path-style-access: true
        ingest:
          threads: 1
        """
            .formatted(s3.endpoint()));
    String endpoint = s3.endpoint();
    MedlakeHome home = MedlakeHome.open(root);
    GenerationReport report =
        LabDataGenerator.generate(
            GeneratorOptions.builder(directory.resolve("landing"), home.sources())
                .hospitals(1)
                .months(2)
                .rowsPerFile(300)
                .seed(7)
                .build(),
            rows -> {});
    GeneratedFile first = report.files().get(0);
    GeneratedFile second = report.files().get(1);
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      assertThat(
              service
                  .ingest(new IngestService.Delivery(first.path(), first.source(), first.month()))
                  .status())
          .isEqualTo(RunStatus.SUCCEEDED);
    }
    AtomicBoolean stopped = new AtomicBoolean();
    ProgressListener stopTheStore =
        (file, phase, fraction) -> {
          // the run is RUNNING and its files are written locally; the upload and commit come next
          if (phase.equals("publishing") && stopped.compareAndSet(false, true)) {
            try {
              s3.close();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        };
    try (IngestService service = IngestService.open(home, stopTheStore)) {
      assertThatThrownBy(
              () ->
                  service.ingest(
                      new IngestService.Delivery(second.path(), second.source(), second.month())))
          .hasMessage(
              "Cannot reach the object store "
                  + endpoint
                  + " (bucket lake) while loading table medlake.lab_results: Connection refused");
    }
    assertThat(stopped).isTrue();
    try (RunLedger ledger = RunLedger.open(home)) {
      assertThat(ledger.list())
          .extracting(IngestRun::status)
          .containsExactly(RunStatus.SUCCEEDED, RunStatus.FAILED);
    }
  }
}
