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

/**
 * Iceberg file access for a warehouse on the local file system, with plain java.nio: no Hadoop file
 * system, user or security classes at run time.
 */
public final class LocalFileIO implements FileIO {
  @Override
  public InputFile newInputFile(String path) {
    return org.apache.iceberg.Files.localInput(file(path));
  }

  @Override
  public OutputFile newOutputFile(String path) {
    File file = file(path);
    try {
      Files.createDirectories(file.toPath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create directory for " + path, e);
    }
    return org.apache.iceberg.Files.localOutput(file);
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
}
