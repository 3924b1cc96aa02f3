package org.medlake.testkit;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 API server (s3proxy over jclouds' filesystem blob store) on a free loopback port, for
 * tests. Requests are signed (AWS v4) with the credentials below, which the AWS SDK's default chain
 * picks up from the {@code aws.accessKeyId}/{@code aws.secretAccessKey} system properties.
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "medlake-test";
  public static final String SECRET_KEY = "medlake-test-secret";

  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final Path directory;

  private S3Server(S3Proxy proxy, BlobStoreContext context, Path directory) {
    this.proxy = proxy;
    this.context = context;
    this.directory = directory;
  }

  public static S3Server start(Path directory, String... buckets) throws Exception {
    Files.createDirectories(directory);
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", directory.toString());
    BlobStoreContext context =
        ContextBuilder.newBuilder("filesystem")
            .credentials("identity", "credential")
            .overrides(properties)
            .build(BlobStoreContext.class);
    BlobStore store = context.getBlobStore();
    for (String bucket : buckets) {
      store.createContainerInLocation(null, bucket);
    }
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      if ("FAILED".equals(proxy.getState())) {
        throw new IllegalStateException("s3proxy failed to start");
      }
      Thread.onSpinWait();
    }
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
    // s3proxy 3 predates the SDK's default CRC trailers (SDK 2.30); checksums only where S3
    // requires them
    System.setProperty("aws.requestChecksumCalculation", "when_required");
    System.setProperty("aws.responseChecksumValidation", "when_required");
    return new S3Server(proxy, context, directory);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** The files the server holds in {@code bucket} under {@code prefix}, as keys. */
  public Stream<String> keys(String bucket, String prefix) throws java.io.IOException {
    Path root = directory.resolve(bucket);
    return Files.walk(root)
        .filter(Files::isRegularFile)
        .map(file -> root.relativize(file).toString())
        .filter(key -> key.startsWith(prefix))
        .sorted();
  }

  /** Puts a local file into the store as {@code bucket/key}. */
  public void put(String bucket, String key, Path file) {
    BlobStore store = context.getBlobStore();
    store.putBlob(bucket, store.blobBuilder(key).payload(file.toFile()).build());
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
