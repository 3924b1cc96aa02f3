package org.medlake.ingest.watch;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.medlake.core.file.LandingFiles;

/**
 * Landing events from a local directory tree: file-system events (java.nio {@link WatchService})
 * tell early that something changed, a full rescan every {@code rescan} is the safety net for lost
 * or overflowing events (and for file systems that send none), and a {@link SettleTracker} hands a
 * file out only once it stopped changing. Not thread-safe: one watcher thread polls it.
 */
public final class DirectoryLandingEvents implements LandingEvents {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(DirectoryLandingEvents.class);
  private static final Duration TICK = Duration.ofMillis(250);

  private final Path root;
  private final Duration rescan;
  private final Clock clock;
  private final WatchService watchService;
  private final Map<WatchKey, Path> directories = new HashMap<>();
  private final SettleTracker tracker;
  private Instant nextRescan = Instant.MIN;

  public DirectoryLandingEvents(Path root, Duration settle, Duration rescan, Clock clock) {
    this.root = requireNonNull(root, "root is null").toAbsolutePath().normalize();
    this.rescan = requireNonNull(rescan, "rescan is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.tracker = new SettleTracker(settle);
    try {
      Files.createDirectories(this.root);
      this.watchService = FileSystems.getDefault().newWatchService();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot watch " + root, e);
    }
  }

  @Override
  public List<LandingEvent> poll(Duration timeout) throws InterruptedException {
    Instant deadline = clock.instant().plus(timeout);
    while (true) {
      Instant now = clock.instant();
      if (!now.isBefore(nextRescan)) {
        rescan();
        nextRescan = now.plus(rescan);
      }
      // files still being written may send no further event: look at them on every tick
      for (Path file : tracker.pending()) {
        observe(file);
      }
      List<LandingEvent> ready = new ArrayList<>();
      for (Path file : tracker.settled(clock.instant())) {
        ready.add(new LandingEvent(file, file.toString()));
      }
      if (!ready.isEmpty() || !clock.instant().isBefore(deadline)) {
        return ready;
      }
      WatchKey key = watchService.poll(TICK.toMillis(), TimeUnit.MILLISECONDS);
      while (key != null) {
        handle(key);
        key = watchService.poll();
      }
    }
  }

  @Override
  public void acknowledge(LandingEvent event) {
    // the tracker remembers what it handed out; a changed file (a resubmission under the same name)
    // comes again
  }

  private void handle(WatchKey key) {
    Path directory = directories.get(key);
    for (WatchEvent<?> event : key.pollEvents()) {
      if (event.kind() == OVERFLOW || directory == null) {
        nextRescan = Instant.MIN;
        continue;
      }
      Path path = directory.resolve((Path) event.context());
      if (event.kind() == ENTRY_DELETE) {
        tracker.forget(path);
      } else if (Files.isDirectory(path)) {
        walk(path);
      } else {
        observe(path);
      }
    }
    if (!key.reset()) {
      directories.remove(key);
    }
  }

  private void rescan() {
    walk(root);
  }

  /** Registers every directory below {@code start} and observes every delivery file in it. */
  private void walk(Path start) {
    try (Stream<Path> paths = Files.walk(start)) {
      paths.forEach(
          path -> {
            if (Files.isDirectory(path)) {
              register(path);
            } else {
              observe(path);
            }
          });
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Cannot list {}: {}", start, e.getMessage());
    }
  }

  private void register(Path directory) {
    if (directories.containsValue(directory)) {
      return;
    }
    try {
      directories.put(
          directory.register(watchService, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE), directory);
    } catch (IOException e) {
      LOG.warn("Cannot watch {}: {}", directory, e.getMessage());
    }
  }

  private void observe(Path file) {
    if (!LandingFiles.isDelivery(file)) {
      return;
    }
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      if (attributes.isRegularFile()) {
        tracker.observe(
            file,
            new SettleTracker.FileState(
                attributes.size(), attributes.lastModifiedTime().toMillis()),
            clock.instant());
      }
    } catch (NoSuchFileException e) {
      tracker.forget(file);
    } catch (IOException e) {
      LOG.warn("Cannot read the attributes of {}: {}", file, e.getMessage());
    }
  }

  @Override
  public void close() {
    try {
      watchService.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
