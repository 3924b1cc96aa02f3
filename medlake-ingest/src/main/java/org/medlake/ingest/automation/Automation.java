package org.medlake.ingest.automation;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import org.medlake.core.config.MedlakeConfig;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.WatchConfig;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.source.SourceRegistry;
import org.medlake.ingest.automation.CompletenessCheck.MissingDelivery;
import org.medlake.ingest.maintenance.TableMaintenance;
import org.medlake.ingest.notify.Webhooks;
import org.medlake.ingest.watch.DirectoryLandingEvents;
import org.medlake.ingest.watch.LandingEvents;
import org.medlake.ingest.watch.LandingWatcher;
import org.medlake.ingest.watch.QueueLandingEvents;
import org.medlake.platform.store.RunLedger;

/**
 * Everything that runs without anyone acting: the landing-zone watcher, the scheduled completeness
 * check and maintenance, and webhooks for all of them. Used by {@code medlake watch} and by the
 * server when {@code watch.enabled}.
 */
public final class Automation implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Automation.class);

  /** Told what the automation did, e.g. to record metrics. */
  public interface Observer {
    Observer NONE = new Observer() {};

    default void runFinished(IngestRun run) {}

    default void deliveriesChecked(YearMonth month, List<MissingDelivery> missing) {}

    default void maintained(List<TableMaintenance.Report> reports) {}
  }

  private final MedlakeHome home;
  private final Observer observer;
  private final IngestionQueue queue;

  /** The queue was opened here ({@code medlake watch}), not handed in (the server's). */
  private final boolean ownsQueue;

  private final Webhooks webhooks;
  private final LandingWatcher watcher;
  private final Scheduler scheduler;

  private Automation(MedlakeHome home, Optional<IngestionQueue> queue, Observer observer) {
    MedlakeConfig config = home.config();
    // schedules are checked before anything starts
    CronSchedule completeness =
        config
            .schedules()
            .completenessCheck()
            .map(cron -> CronSchedule.parse("schedules.completeness-check", cron))
            .orElse(null);
    CronSchedule maintenance =
        config
            .schedules()
            .maintenance()
            .map(cron -> CronSchedule.parse("schedules.maintenance", cron))
            .orElse(null);
    this.home = home;
    this.observer = observer;
    this.webhooks = Webhooks.create(config.webhooks(), home.environment());
    this.ownsQueue = queue.isEmpty();
    this.queue = queue.orElseGet(() -> IngestionQueue.open(home));
    this.watcher =
        new LandingWatcher(
            this.queue, landingEvents(home), webhooks.andThen(observer::runFinished));
    this.scheduler = new Scheduler(Clock.systemUTC());
    if (completeness != null) {
      scheduler.schedule(
          "completeness check",
          completeness,
          () -> checkCompleteness(config.schedules().expectedMonth(Clock.systemUTC())));
    }
    if (maintenance != null) {
      scheduler.schedule("maintenance", maintenance, this::maintain);
    }
  }

  /** The configured queue of S3 notifications, else the local landing directory. */
  private static LandingEvents landingEvents(MedlakeHome home) {
    WatchConfig watch = home.config().watch();
    if (watch.queueUrl().isPresent()) {
      return QueueLandingEvents.open(watch);
    }
    return new DirectoryLandingEvents(
        home.landing(), watch.settle(), watch.rescan(), Clock.systemUTC());
  }

  /** What is watched, for messages: the queue's URL or the landing directory. */
  public static String watched(MedlakeHome home) {
    return home.config()
        .watch()
        .queueUrl()
        .map(url -> "the queue " + url)
        .orElseGet(() -> home.landing().toString());
  }

  /** Starts watching {@code home}'s landing zone and the schedules. */
  public static Automation start(MedlakeHome home, Observer observer) {
    return start(home, Optional.empty(), observer);
  }

  /**
   * As {@link #start(MedlakeHome, Observer)}, submitting ingests and maintenance to {@code queue}
   * (the server's, shared with its uploads) when given, else to a queue of its own.
   */
  public static Automation start(
      MedlakeHome home, Optional<IngestionQueue> queue, Observer observer) {
    Automation automation = new Automation(home, queue, observer);
    automation.watcher.start();
    if (home.config().watch().queueUrl().isPresent()) {
      LOG.info("Watching {}", watched(home));
    } else {
      LOG.info(
          "Watching {} (settle {} s, rescan every {} s)",
          home.landing(),
          home.config().watch().settleSeconds(),
          home.config().watch().rescanSeconds());
    }
    return automation;
  }

  /**
   * The hospitals without a delivery for {@code month}: each a warning, a webhook and an observer
   * call.
   */
  public List<MissingDelivery> checkCompleteness(YearMonth month) {
    List<MissingDelivery> missing;
    try (RunLedger ledger = RunLedger.open(home.platformDatabase())) {
      missing = CompletenessCheck.missing(new SourceRegistry(home.sources()), ledger, month);
    }
    for (MissingDelivery delivery : missing) {
      LOG.warn(
          "Missing delivery: hospital {} (source {}) has not delivered for {}",
          delivery.hospitalId(),
          delivery.source(),
          month);
      webhooks.missingDelivery(delivery.hospitalId(), delivery.source(), month);
    }
    observer.deliveriesChecked(month, missing);
    return missing;
  }

  /**
   * Table maintenance, on the ingestion queue (it commits to the tables as an ingest does), then
   * the expired failed uploads.
   */
  private void maintain() {
    List<TableMaintenance.Report> reports;
    try {
      reports =
          queue.call(
              service ->
                  new TableMaintenance(service.lakehouse(), home.config().maintenance())
                      .run(Instant.now()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    reports.forEach(report -> LOG.info("Maintenance: {}", report));
    observer.maintained(reports);
    FailedUploads.purge(home, Instant.now());
  }

  @Override
  public void close() {
    scheduler.close();
    watcher.close();
    webhooks.close();
    if (ownsQueue) {
      queue.close();
    }
  }
}
