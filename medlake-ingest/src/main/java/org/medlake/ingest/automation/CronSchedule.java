package org.medlake.ingest.automation;

import static java.util.Objects.requireNonNull;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/** A UNIX cron expression (minute hour day-of-month month day-of-week), parsed by cron-utils. */
public final class CronSchedule {
  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final String expression;
  private final ExecutionTime executionTime;

  private CronSchedule(String expression, ExecutionTime executionTime) {
    this.expression = expression;
    this.executionTime = executionTime;
  }

  /** Parses {@code expression}; a bad one is an error naming the configuration key. */
  public static CronSchedule parse(String key, String expression) {
    requireNonNull(expression, "expression is null");
    try {
      Cron cron = PARSER.parse(expression.strip());
      cron.validate();
      return new CronSchedule(expression.strip(), ExecutionTime.forCron(cron));
    } catch (IllegalArgumentException e) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          key
              + ": '"
              + expression
              + "' is not a cron expression (minute hour day-of-month month day-of-week): "
              + e.getMessage());
    }
  }

  /** The first time after {@code now} the job is due. */
  public Optional<ZonedDateTime> next(ZonedDateTime now) {
    return executionTime.nextExecution(now);
  }

  @Override
  public String toString() {
    return expression;
  }
}
