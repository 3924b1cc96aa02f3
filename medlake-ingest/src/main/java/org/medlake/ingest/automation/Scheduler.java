package org.medlake.ingest.automation;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs jobs on cron schedules, one at a time on one thread; each run plans the next. A job that
 * throws is logged and runs again at its next time.
 */
public final class Scheduler implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Scheduler.class);

  private final Clock clock;
  private final ScheduledThreadPoolExecutor executor;

  public Scheduler(Clock clock) {
    this.clock = requireNonNull(clock, "clock is null");
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "medlake-schedules");
              thread.setDaemon(true);
              return thread;
            });
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Plans {@code job} at every time {@code schedule} names, from now on. */
  public void schedule(String name, CronSchedule schedule, Runnable job) {
    ZonedDateTime now = ZonedDateTime.now(clock);
    Optional<ZonedDateTime> next = schedule.next(now);
    if (next.isEmpty()) {
      LOG.warn("Schedule {} ({}) has no future time", name, schedule);
      return;
    }
    LOG.info("{} next runs at {}", name, next.get());
    executor.schedule(
        () -> {
          try {
            LOG.info("{} starts", name);
            job.run();
          } catch (RuntimeException e) {
            LOG.error("{} failed: {}", name, e.getMessage(), e);
          }
          if (!executor.isShutdown()) {
            schedule(name, schedule, job);
          }
        },
        Math.max(0, Duration.between(now, next.get()).toMillis()),
        TimeUnit.MILLISECONDS);
  }

  /** Stops planning; a job that is running finishes first. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(1, TimeUnit.HOURS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
