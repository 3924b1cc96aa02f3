package org.medlake.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The job's own class loader: the pipeline's jars (medlake-ingest, Iceberg, Parquet, Jackson,
 * DuckDB, SQLite, the AWS SDK), nested in medlake-spark.jar under {@value #LIBRARIES}, are
 * extracted once per JVM and loaded by a class loader whose parent is the platform class loader, so
 * that neither Spark's jars nor a cluster's (Iceberg's Spark runtime on EMR) are visible to them,
 * nor they to Spark. Calls cross with JDK types only (byte arrays, strings, functions, iterators).
 */
final class EngineLoader {
  static final String LIBRARIES = "META-INF/medlake-lib/";
  private static final String ENGINE = "org.medlake.spark.engine.IngestJob";

  private static Engine engine;

  private EngineLoader() {}

  /** This JVM's engine: one class loader for the driver's work and every task of this executor. */
  static synchronized Engine engine() {
    if (engine == null) {
      engine = new Engine(classLoader());
    }
    return engine;
  }

  /**
   * The isolating class loader over this jar and its nested libraries; for classes on a plain class
   * path (tests), this class's own loader.
   */
  private static ClassLoader classLoader() {
    Path self;
    try {
      self =
          Path.of(EngineLoader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Cannot locate medlake-spark.jar: " + e.getMessage(), e);
    }
    if (Files.isDirectory(self)) {
      return EngineLoader.class.getClassLoader();
    }
    try {
      Path directory = Files.createTempDirectory("medlake-spark-lib-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(directory)));
      List<URL> urls = new ArrayList<>();
      urls.add(self.toUri().toURL());
      try (JarFile jar = new JarFile(self.toFile())) {
        for (JarEntry entry : Collections.list(jar.entries())) {
          if (entry.getName().startsWith(LIBRARIES) && entry.getName().endsWith(".jar")) {
            Path target = directory.resolve(entry.getName().substring(LIBRARIES.length()));
            try (InputStream in = jar.getInputStream(entry)) {
              Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            urls.add(target.toUri().toURL());
          }
        }
      }
      if (urls.size() == 1) {
        throw new IllegalStateException(
            self + " has no libraries under " + LIBRARIES + ": build it with mvn package");
      }
      return new URLClassLoader(
          "medlake-engine", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot extract the libraries of " + self + ": " + e.getMessage(), e);
    }
  }

  private static void deleteRecursively(Path directory) {
    try (Stream<Path> walk = Files.walk(directory)) {
      walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // the temporary directory's owner cleans up
    }
  }

  /**
   * The engine's two entry points ({@code IngestJob.run} and {@code IngestJob.stage}), called in
   * its class loader.
   */
  static final class Engine {
    private final ClassLoader loader;
    private final Method run;
    private final Method stage;

    Engine(ClassLoader loader) {
      this.loader = loader;
      try {
        Class<?> job = Class.forName(ENGINE, true, loader);
        this.run = job.getMethod("run", String[].class, String.class, Function.class);
        this.stage = job.getMethod("stage", byte[].class);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("medlake-spark.jar has no usable " + ENGINE + ": " + e, e);
      }
    }

    int run(String[] args, String master, Function<List<byte[]>, Iterator<byte[]>> stageAll) {
      return (Integer) invoke(run, args, master, stageAll);
    }

    byte[] stage(byte[] task) {
      return (byte[]) invoke(stage, (Object) task);
    }

    /**
     * Calls into the engine with its class loader as the context class loader (ServiceLoader,
     * JDBC).
     */
    private Object invoke(Method method, Object... arguments) {
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(loader);
      try {
        return method.invoke(null, arguments);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof RuntimeException runtime) {
          throw runtime;
        }
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException(e.getCause());
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      } finally {
        thread.setContextClassLoader(previous);
      }
    }
  }
}
