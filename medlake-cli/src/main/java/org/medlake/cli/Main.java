package org.medlake.cli;

/** Entry point of the {@code medlake} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(MedlakeCommand.execute(args));
  }
}
