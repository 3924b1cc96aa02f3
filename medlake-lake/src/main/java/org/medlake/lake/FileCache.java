package org.medlake.lake;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.iceberg.io.FileIO;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * Local copies of object-store data files for DuckDB, bounded in bytes with least-recently-used
 * eviction. A copy is keyed by location and size (Iceberg data files are never rewritten in place,
 * so both together name one content). Copies a running query reads are leased and never evicted;
 * while leases hold more than the bound, the cache exceeds it until they close.
 *
 * <p>Each process has its own directory ({@code cache/files-<pid>}), removed on close; directories
 * of processes that are gone are removed when the next cache opens.
 */
public final class FileCache implements Closeable {
  private static final String PREFIX = "files-";

  private final Path directory;
  private final long maxBytes;
  private final FileIO io;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<String, Object> downloads = new ConcurrentHashMap<>();
  private long bytes;
  private long hits;
  private long misses;

  private static final class Entry {
    final Path path;
    final long size;
    int leases;

    Entry(Path path, long size) {
      this.path = path;
      this.size = size;
    }
  }

  private FileCache(Path directory, long maxBytes, FileIO io) {
    this.directory = requireNonNull(directory, "directory is null");
    this.maxBytes = maxBytes;
    this.io = requireNonNull(io, "io is null");
  }

  public static FileCache open(Path root, long maxBytes, FileIO io) {
    try {
      Files.createDirectories(root);
      try (Stream<Path> children = Files.list(root)) {
        for (Path child : children.toList()) {
          String name = child.getFileName().toString();
          if (name.startsWith(PREFIX) && !alive(name.substring(PREFIX.length()))) {
            deleteRecursively(child);
          }
        }
      }
      Path directory = root.resolve(PREFIX + ProcessHandle.current().pid());
      deleteRecursively(directory);
      Files.createDirectories(directory);
      return new FileCache(directory, maxBytes, io);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create file cache under " + root, e);
    }
  }

  public Path directory() {
    return directory;
  }

  /**
   * Local copies of {@code locations} (with their sizes in bytes, in the same order), downloaded
   * when missing.
   */
  public Lease lease(List<String> locations, List<Long> sizes) {
    if (locations.size() != sizes.size()) {
      throw new IllegalArgumentException("locations and sizes differ in length");
    }
    List<String> keys = new ArrayList<>();
    List<Path> paths = new ArrayList<>();
    try {
      for (int i = 0; i < locations.size(); i++) {
        String key = key(locations.get(i), sizes.get(i));
        paths.add(acquire(key, locations.get(i), sizes.get(i)));
        keys.add(key);
      }
    } catch (RuntimeException e) {
      release(keys);
      throw e;
    }
    return new Lease(paths, () -> release(keys));
  }

  private Path acquire(String key, String location, long size) {
    synchronized (this) {
      Entry entry = entries.get(key);
      if (entry != null) {
        entry.leases++;
        hits++;
        return entry.path;
      }
    }
    // one download per key; other keys download in parallel
    synchronized (downloads.computeIfAbsent(key, ignored -> new Object())) {
      synchronized (this) {
        Entry entry = entries.get(key);
        if (entry != null) {
          entry.leases++;
          hits++;
          return entry.path;
        }
      }
      Path target = directory.resolve(key + ".parquet");
      Path partial = directory.resolve(key + ".part");
      try (InputStream in = io.newInputFile(location, size).newStream()) {
        long copied = Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        if (copied != size) {
          throw new MedlakeException(
              ErrorCode.STORAGE_ERROR,
              location + " has " + copied + " bytes, the table metadata says " + size);
        }
        Files.move(
            partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | org.apache.iceberg.exceptions.RuntimeIOException e) {
        throw new MedlakeException(
            ErrorCode.STORAGE_ERROR, "Cannot download " + location + ": " + e.getMessage(), e);
      } finally {
        downloads.remove(key);
      }
      synchronized (this) {
        Entry entry = new Entry(target, size);
        entry.leases = 1;
        entries.put(key, entry);
        bytes += size;
        misses++;
        evict();
      }
      return target;
    }
  }

  private synchronized void release(List<String> keys) {
    for (String key : keys) {
      Entry entry = entries.get(key);
      if (entry != null) {
        entry.leases--;
      }
    }
    evict();
  }

  /** Drops the least recently used copies nobody leases until the cache is within its bound. */
  private void evict() {
    Iterator<Map.Entry<String, Entry>> iterator = entries.entrySet().iterator();
    while (bytes > maxBytes && iterator.hasNext()) {
      Entry entry = iterator.next().getValue();
      if (entry.leases == 0) {
        iterator.remove();
        bytes -= entry.size;
        try {
          Files.deleteIfExists(entry.path);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot evict " + entry.path, e);
        }
      }
    }
  }

  /** Bytes held, copies held, hits and misses since the cache opened. */
  public synchronized Statistics statistics() {
    return new Statistics(bytes, entries.size(), hits, misses);
  }

  public record Statistics(long bytes, int files, long hits, long misses) {}

  @Override
  public synchronized void close() {
    entries.clear();
    bytes = 0;
    deleteRecursively(directory);
  }

  private static String key(String location, long size) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((location + "\0" + size).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean alive(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      walk.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException ignored) {
      // a leftover copy is removed by the next cache that opens
    }
  }

  /** Local paths for one query; closing it lets the copies be evicted. */
  public static final class Lease implements AutoCloseable {
    private final List<Path> paths;
    private final Runnable release;

    Lease(List<Path> paths, Runnable release) {
      this.paths = List.copyOf(paths);
      this.release = release;
    }

    static Lease of(List<Path> paths) {
      return new Lease(paths, () -> {});
    }

    public List<Path> paths() {
      return paths;
    }

    @Override
    public void close() {
      release.run();
    }
  }
}
