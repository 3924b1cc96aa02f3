package org.medlake.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.medlake.spark.engine.JobArguments;

/**
 * The embedded ingestion pipeline distributed by Spark: {@code spark-submit --class
 * org.medlake.spark.SparkIngestJob medlake-spark.jar --home DIR [--source S] [--month YYYY-MM]
 * PATH...}. One task per delivered file runs the pipeline's stage half on an executor; the driver
 * commits the staged files in delivery order with the pipeline's commit half. Spark only schedules:
 * the pipeline runs in the job's own class loader ({@link EngineLoader}).
 */
public final class SparkIngestJob {
  private SparkIngestJob() {}

  public static void main(String[] args) {
    JobArguments arguments;
    try {
      arguments = JobArguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("medlake-spark: error: " + e.getMessage());
      System.err.println(JobArguments.USAGE);
      System.exit(2);
      return;
    }
    EngineLoader.Engine engine = EngineLoader.engine();
    SparkConf conf =
        new SparkConf().setAppName("medlake-ingest").setIfMissing("spark.ui.enabled", "false");
    arguments.master().ifPresent(conf::setMaster);
    JavaSparkContext spark = new JavaSparkContext(conf);
    int exitCode;
    try {
      spark.setLogLevel("WARN");
      exitCode = engine.run(args, spark.master(), tasks -> stageAll(spark, tasks));
    } finally {
      spark.stop();
    }
    System.exit(exitCode);
  }

  /**
   * One Spark job of one task per file, all submitted at once: Spark runs them side by side as
   * executor cores free up (first submitted, first run), a file's chunks one after another inside
   * its task. The outcomes come back in the tasks' order as they finish, so the driver commits a
   * file while later ones are still staging; a task Spark gives up on (its executor lost too often)
   * fails its own file only.
   */
  static Iterator<byte[]> stageAll(JavaSparkContext spark, List<byte[]> tasks) {
    List<JavaFutureAction<List<byte[]>>> jobs = new ArrayList<>();
    for (byte[] task : tasks) {
      spark.setJobDescription("medlake-ingest file " + (jobs.size() + 1) + " of " + tasks.size());
      jobs.add(spark.parallelize(List.of(task), 1).map(new StageFunction()).collectAsync());
    }
    Iterator<JavaFutureAction<List<byte[]>>> pending = jobs.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return pending.hasNext();
      }

      @Override
      public byte[] next() {
        try {
          return pending.next().get().get(0);
        } catch (ExecutionException e) {
          throw new IllegalStateException(
              e.getCause() == null ? e.getMessage() : e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for a task", e);
        }
      }
    };
  }

  /** What a task runs: the engine's stage half, in this executor's engine class loader. */
  static final class StageFunction
      implements org.apache.spark.api.java.function.Function<byte[], byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] call(byte[] task) {
      return EngineLoader.engine().stage(task);
    }
  }
}
