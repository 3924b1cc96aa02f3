package org.medlake.lake;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.aws.AwsClientProperties;
import org.apache.iceberg.aws.HttpClientProperties;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.aws.s3.S3FileIOProperties;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.medlake.core.config.CatalogConfig;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.S3Config;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * Where table files live: a local directory (DuckDB reads and writes them in place) or an
 * S3-compatible object store. DuckDB has no S3 access here (no httpfs), so for an object store new
 * files are written locally and uploaded before the commit, and queries read local copies kept in a
 * bounded {@link FileCache}.
 */
public final class Warehouse implements Closeable {
  private final String location;
  private final boolean objectStore;
  private final Map<String, String> fileIoProperties;
  private final MedlakeHome home;
  private final S3Config s3;
  private FileIO io;
  private FileIO landingIo;
  private FileCache cache;

  private Warehouse(
      String location,
      boolean objectStore,
      Map<String, String> fileIoProperties,
      MedlakeHome home) {
    this.location = requireNonNull(location, "location is null");
    this.objectStore = objectStore;
    this.fileIoProperties = Map.copyOf(fileIoProperties);
    this.home = requireNonNull(home, "home is null");
    this.s3 = home.config().catalog().s3();
  }

  static Warehouse of(MedlakeHome home) {
    CatalogConfig config = home.config().catalog();
    if (config.s3Warehouse()) {
      String location =
          config.warehouse().orElseThrow().replaceFirst("^s3a://", "s3://").replaceAll("/+$", "");
      return new Warehouse(location, true, s3Properties(config.s3()), home);
    }
    Path directory =
        config
            .warehouse()
            .map(Path::of)
            .map(path -> home.root().resolve(path))
            .orElse(home.warehouse());
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create warehouse " + directory, e);
    }
    return new Warehouse(
        directory.toUri().toString(),
        false,
        Map.of(CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName()),
        home);
  }

  /**
   * Iceberg S3FileIO settings; credentials come from the AWS default chain, never from
   * medlake.yaml.
   */
  static Map<String, String> s3Properties(S3Config s3) {
    Map<String, String> properties = new HashMap<>();
    properties.put(CatalogProperties.FILE_IO_IMPL, S3FileIO.class.getName());
    properties.put(
        HttpClientProperties.CLIENT_TYPE, HttpClientProperties.CLIENT_TYPE_URLCONNECTION);
    s3.endpoint().ifPresent(endpoint -> properties.put(S3FileIOProperties.ENDPOINT, endpoint));
    properties.put(S3FileIOProperties.PATH_STYLE_ACCESS, String.valueOf(s3.pathStyleAccess()));
    // an S3-compatible server (MinIO) signs for any region, but the SDK insists on one
    s3.region()
        .or(() -> s3.endpoint().map(ignored -> "us-east-1"))
        .ifPresent(region -> properties.put(AwsClientProperties.CLIENT_REGION, region));
    // bounded: the SDK's default (5 retries, 2 s to 20 s apart) times Iceberg's own 20
    // metadata-read
    // retries made an unreachable store fail after minutes (docs/reliability.md)
    properties.put(S3FileIOProperties.S3_RETRY_NUM_RETRIES, String.valueOf(s3.retries()));
    properties.put(S3FileIOProperties.S3_RETRY_MIN_WAIT_MS, "500");
    properties.put(S3FileIOProperties.S3_RETRY_MAX_WAIT_MS, "5000");
    properties.put(
        HttpClientProperties.URLCONNECTION_CONNECTION_TIMEOUT_MS,
        String.valueOf(s3.connectTimeoutSeconds() * 1000L));
    return properties;
  }

  /**
   * Fails at once, naming the store and {@code operation}, when the object store's endpoint does
   * not accept connections: Iceberg retries a failed metadata read 20 times (about 90 s of waits,
   * not configurable), so the table loads check the endpoint first. A TCP connect within {@code
   * catalog.s3.connect-timeout-seconds}; nothing for a local warehouse, AWS S3 (no endpoint) or a
   * JVM with an HTTP proxy (the client connects through it, not to the endpoint).
   */
  public void requireReachable(String operation) {
    if (!objectStore
        || s3.endpoint().isEmpty()
        || System.getProperty("http.proxyHost") != null
        || System.getProperty("https.proxyHost") != null) {
      return;
    }
    try {
      connect(s3.endpoint().get(), s3.connectTimeoutSeconds());
    } catch (IOException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Cannot reach the object store " + unreachable(operation) + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Opens and closes a TCP connection to an {@code http(s)://} endpoint's host and port, within
   * {@code timeoutSeconds}: whether the endpoint accepts connections at all.
   */
  static void connect(String url, int timeoutSeconds) throws IOException {
    java.net.URI endpoint = java.net.URI.create(url);
    int port =
        endpoint.getPort() > 0
            ? endpoint.getPort()
            : "https".equals(endpoint.getScheme()) ? 443 : 80;
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(
          new java.net.InetSocketAddress(endpoint.getHost(), port), timeoutSeconds * 1000);
    }
  }

  /**
   * "{@code <endpoint> (bucket <bucket>) while <operation>}", for errors naming what was
   * unreachable.
   */
  String unreachable(String operation) {
    String bucket = location.replaceFirst("^s3://", "").replaceFirst("/.*$", "");
    return s3.endpoint().orElse("AWS S3") + " (bucket " + bucket + ") while " + operation;
  }

  /** The warehouse location as Iceberg sees it: {@code file:/...} or {@code s3://bucket/prefix}. */
  public String location() {
    return location;
  }

  /** Whether files live in an object store (and DuckDB needs local copies). */
  public boolean objectStore() {
    return objectStore;
  }

  Map<String, String> fileIoProperties() {
    return fileIoProperties;
  }

  /**
   * File access for locations of this warehouse (and, for an object store, other buckets of the
   * same store).
   */
  public synchronized FileIO io() {
    if (io == null) {
      io =
          org.apache.iceberg.CatalogUtil.loadFileIO(
              fileIoProperties.get(CatalogProperties.FILE_IO_IMPL), fileIoProperties, null);
    }
    return io;
  }

  /** Directories DuckDB may read: the local warehouse, or the file cache of an object store. */
  public List<Path> readableDirectories() {
    return objectStore
        ? List.of(cache().directory())
        : List.of(LocalFileIO.file(location).toPath());
  }

  /**
   * Where DuckDB writes new data files of {@code table}: the table's own data directory, or for an
   * object store a staging directory under {@code workDirectory}, uploaded by {@link #publish}.
   */
  public Path stagingDirectory(Table table, Path workDirectory) {
    if (objectStore) {
      return workDirectory.resolve("staged").resolve(table.name().replace('.', '_'));
    }
    return LocalFileIO.file(table.location()).toPath().resolve("data");
  }

  /**
   * Makes a written data file part of the warehouse (uploads it to an object store) and returns its
   * location.
   */
  public String publish(Table table, Path file, String partitionPath) {
    if (!objectStore) {
      return LocalFileIO.qualified(file);
    }
    String target =
        table.location().replaceAll("/+$", "")
            + "/data/"
            + partitionPath
            + "/"
            + file.getFileName();
    try (OutputStream out = table.io().newOutputFile(target).createOrOverwrite()) {
      Files.copy(file, out);
    } catch (IOException | RuntimeException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Cannot upload " + file.getFileName() + " to " + target + ": " + e.getMessage(),
          e);
    }
    return target;
  }

  /**
   * Paths DuckDB can read for planned data files: in place, or local copies held until the lease
   * closes.
   */
  public FileCache.Lease readable(List<String> locations, List<Long> sizes) {
    if (!objectStore) {
      return FileCache.Lease.of(
          locations.stream().map(file -> LocalFileIO.file(file).toPath()).toList());
    }
    return cache().lease(locations, sizes);
  }

  /**
   * The objects under {@code prefix} ({@code s3://bucket/prefix}), or the object itself, sorted by
   * location.
   */
  public List<String> listObjects(String prefix) {
    List<String> locations = new java.util.ArrayList<>();
    try {
      for (FileInfo info : ((SupportsPrefixOperations) landingIo()).listPrefix(prefix)) {
        locations.add(info.location());
      }
    } catch (RuntimeException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR, "Cannot list " + prefix + ": " + e.getMessage(), e);
    }
    locations.sort(null);
    return locations;
  }

  /** Copies an object ({@code s3://bucket/key}) into {@code directory}, keeping its file name. */
  public Path download(String objectLocation, Path directory) {
    InputFile input = landingIo().newInputFile(objectLocation);
    Path target = directory.resolve(objectLocation.substring(objectLocation.lastIndexOf('/') + 1));
    try (InputStream in = input.newStream()) {
      Files.createDirectories(directory);
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (NotFoundException e) {
      throw new org.medlake.core.error.NotFoundException("No such object: " + objectLocation);
    } catch (IOException | RuntimeException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR, "Cannot download " + objectLocation + ": " + e.getMessage(), e);
    }
  }

  /**
   * File access for an object-store landing zone, with the catalog.s3 settings (also when the
   * warehouse is local).
   */
  private synchronized FileIO landingIo() {
    if (objectStore) {
      return io();
    }
    if (landingIo == null) {
      Map<String, String> properties = s3Properties(s3);
      landingIo =
          org.apache.iceberg.CatalogUtil.loadFileIO(
              properties.get(CatalogProperties.FILE_IO_IMPL), properties, null);
    }
    return landingIo;
  }

  synchronized FileCache cache() {
    if (cache == null) {
      cache =
          FileCache.open(
              home.root().resolve("cache"), home.config().query().fileCacheBytes(), io());
    }
    return cache;
  }

  @Override
  public synchronized void close() {
    if (cache != null) {
      cache.close();
    }
    if (io != null) {
      io.close();
    }
    if (landingIo != null) {
      landingIo.close();
    }
  }
}
