package org.medlake.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.ingest.automation.Automation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "watch",
    description =
        "Ingest files as they arrive in landing/ (or as an SQS queue announces them), and run the scheduled completeness check and maintenance.")
final class WatchCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--json", description = "print every finished run as one line of JSON")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    MedlakeHome home = parent.openHome();
    Automation automation =
        Automation.start(
            home,
            new Automation.Observer() {
              @Override
              public void runFinished(IngestRun run) {
                synchronized (System.out) {
                  if (json) {
                    Output.jsonLine(System.out, run);
                  } else {
                    RunsCommand.print(java.util.List.of(run));
                  }
                }
              }
            });
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  automation.close();
                  stopped.countDown();
                }));
    System.err.println(
        "medlake: watching "
            + Automation.watched(home)
            + (home.config().watch().queueUrl().isPresent()
                ? ""
                : " (settle " + home.config().watch().settleSeconds() + " s)")
            + "; Ctrl-C stops it after the file in progress");
    stopped.await();
    return 0;
  }
}
