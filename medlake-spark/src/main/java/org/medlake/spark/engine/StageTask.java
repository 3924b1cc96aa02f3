package org.medlake.spark.engine;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.Optional;
import org.medlake.ingest.pipeline.IngestService.Delivery;

/**
 * One file for one Spark task: where the home is, the delivery, its run id (chosen on the driver),
 * and checks that the executor sees the driver's source mapping and pseudonym key. No secret
 * travels in it: the key check is a keyed hash of a constant.
 *
 * @param home the home's directory, at the same path on every executor
 * @param file the delivered file (absolute), or an object's name
 * @param objectLocation the {@code s3://} location of an object delivery, or empty
 * @param mappingSha256 the driver's fingerprint of the source mapping
 * @param keyCheck {@link IngestJob#keyCheck} of the driver's pseudonym key
 */
public record StageTask(
    String home,
    String file,
    String source,
    String month,
    String objectLocation,
    String runId,
    String mappingSha256,
    String keyCheck)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public StageTask {
    requireNonNull(home, "home is null");
    requireNonNull(file, "file is null");
    requireNonNull(source, "source is null");
    requireNonNull(month, "month is null");
    requireNonNull(objectLocation, "objectLocation is null");
    requireNonNull(runId, "runId is null");
    requireNonNull(mappingSha256, "mappingSha256 is null");
    requireNonNull(keyCheck, "keyCheck is null");
  }

  static StageTask of(
      Path home, Delivery delivery, String runId, String mappingSha256, String keyCheck) {
    String file =
        delivery.objectLocation().isPresent()
            ? delivery.file().toString()
            : delivery.file().toAbsolutePath().normalize().toString();
    return new StageTask(
        home.toString(),
        file,
        delivery.source(),
        delivery.month().toString(),
        delivery.objectLocation().orElse(""),
        runId,
        mappingSha256,
        keyCheck);
  }

  Delivery delivery() {
    return new Delivery(
        Path.of(file),
        source,
        YearMonth.parse(month),
        Optional.of(objectLocation).filter(location -> !location.isEmpty()));
  }

  /** The delivery as messages name it. */
  String shown() {
    return objectLocation.isEmpty() ? file : objectLocation;
  }
}
