package org.medlake.lake;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * Iceberg file access for a warehouse on the local file system, with plain java.nio: no Hadoop file
 * system, user or security classes at run time. Every file it writes is named fully qualified
 * ({@code file:///...}), so the metadata, manifest lists and manifests Iceberg writes through it
 * name their files in a form every engine reads (Trino's native local file system refuses bare
 * paths).
 */
public final class LocalFileIO implements FileIO {
  @Override
  public InputFile newInputFile(String path) {
    // read under the name it was asked by: a catalog compares a loaded table's metadata location
    // with the one it stores, bare or qualified
    return new LocalInput(path, org.apache.iceberg.Files.localInput(file(path)));
  }

  @Override
  public OutputFile newOutputFile(String path) {
    File file = file(path);
    try {
      Files.createDirectories(file.toPath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create directory for " + path, e);
    }
    return new LocalOutput(qualified(path), org.apache.iceberg.Files.localOutput(file));
  }

  @Override
  public void deleteFile(String path) {
    try {
      Files.deleteIfExists(file(path).toPath());
    } catch (NoSuchFileException ignored) {
      // already gone
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path, e);
    }
  }

  /** The local file behind a warehouse location, given as a {@code file:} URI or a plain path. */
  public static File file(String path) {
    if (path.startsWith("file:")) {
      return Path.of(URI.create(path.replace(" ", "%20"))).toFile();
    }
    return new File(path);
  }

  /**
   * A location in the one spelling medlake writes: {@code file:///absolute/path}, for a plain path
   * or a {@code file:} URI in any of its forms ({@code file:/x}, {@code file:///x}).
   */
  public static String qualified(String path) {
    return qualified(file(path).toPath());
  }

  /** The fully qualified location of a local file: {@code file:///absolute/path}. */
  public static String qualified(Path file) {
    String uri = file.toAbsolutePath().normalize().toUri().toString();
    // Path.toUri ends an existing directory with a slash: locations name files, one spelling each
    return uri.endsWith("/") && uri.length() > "file:///".length()
        ? uri.substring(0, uri.length() - 1)
        : uri;
  }

  /**
   * Whether a location lacks a scheme (a bare path, as medlake wrote its local files until issue
   * 20).
   */
  public static boolean unqualified(String location) {
    return location.startsWith("/");
  }

  private record LocalInput(String location, InputFile file) implements InputFile {
    @Override
    public long getLength() {
      return file.getLength();
    }

    @Override
    public SeekableInputStream newStream() {
      return file.newStream();
    }

    @Override
    public boolean exists() {
      return file.exists();
    }
  }

  private record LocalOutput(String location, OutputFile file) implements OutputFile {
    @Override
    public PositionOutputStream create() {
      return file.create();
    }

    @Override
    public PositionOutputStream createOrOverwrite() {
      return file.createOrOverwrite();
    }

    @Override
    public InputFile toInputFile() {
      return new LocalInput(location, file.toInputFile());
    }
  }
}
