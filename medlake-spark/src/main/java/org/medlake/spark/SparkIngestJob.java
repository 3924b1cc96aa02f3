package org.medlake.spark;

import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.medlake.spark.engine.JobArguments;

/**
 * The embedded ingestion pipeline distributed by Spark: {@code spark-submit --class
 * org.medlake.spark.SparkIngestJob medlake-spark.jar --home DIR [--source S] [--month YYYY-MM]
 * PATH...}. One task per delivered file runs the pipeline's stage half on an executor; the driver
 * commits the staged files in delivery order with the pipeline's commit half. Spark only
 * schedules: the pipeline runs in the job's own class loader ({@link EngineLoader}).
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
    SparkConf conf = new SparkConf().setAppName("medlake-ingest").setIfMissing("spark.ui.enabled", "false");
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
   * One Spark task per file, in a partition of its own: a file's chunks run one after another
   * inside its task. The outcomes come back in the tasks' order.
   */
  static List<byte[]> stageAll(JavaSparkContext spark, List<byte[]> tasks) {
    if (tasks.isEmpty()) {
      return List.of();
    }
    return spark.parallelize(tasks, tasks.size()).map(new StageFunction()).collect();
  }

  /** What a task runs: the engine's stage half, in this executor's engine class loader. */
  static final class StageFunction implements org.apache.spark.api.java.function.Function<byte[], byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] call(byte[] task) {
      return EngineLoader.engine().stage(task);
    }
  }
}
