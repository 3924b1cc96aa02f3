package org.medlake.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.List;
import java.util.concurrent.Callable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.source.SourceRegistry;
import org.medlake.ingest.automation.CompletenessCheck;
import org.medlake.ingest.automation.CompletenessCheck.MissingDelivery;
import org.medlake.ingest.notify.Webhooks;
import org.medlake.platform.store.RunLedger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "completeness",
    description =
        "Hospitals (source mappings) without a succeeded run for a month; exit code 1 if any.")
final class CompletenessCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(
      names = "--month",
      description =
          "delivery month YYYY-MM (default: last month, UTC, or schedules.completeness-month)")
  YearMonth month;

  @Option(names = "--notify", description = "send a delivery.missing webhook per missing hospital")
  boolean notify;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    MedlakeHome home = parent.openHome();
    YearMonth checked =
        month == null ? home.config().schedules().expectedMonth(Clock.systemUTC()) : month;
    List<MissingDelivery> missing;
    try (RunLedger ledger = RunLedger.open(home.platformDatabase())) {
      missing = CompletenessCheck.missing(new SourceRegistry(home.sources()), ledger, checked);
    }
    if (notify && !missing.isEmpty()) {
      Webhooks webhooks = Webhooks.create(home.config().webhooks(), home.environment());
      missing.forEach(
          delivery -> webhooks.missingDelivery(delivery.hospitalId(), delivery.source(), checked));
      webhooks.drain(Duration.ofMinutes(10));
    }
    if (json) {
      Output.json(System.out, missing);
    } else if (missing.isEmpty()) {
      System.out.println("Every hospital delivered for " + checked + ".");
    } else {
      Output.table(
          System.out,
          List.of("hospital", "source", "month"),
          missing.stream()
              .map(delivery -> List.of(delivery.hospitalId(), delivery.source(), delivery.month()))
              .toList());
    }
    return missing.isEmpty() ? 0 : 1;
  }
}
