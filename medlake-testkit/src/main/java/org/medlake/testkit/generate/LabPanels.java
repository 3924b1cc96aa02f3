package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The panels doctors order together; an encounter orders one to three of them. */
final class LabPanels {
  private static final List<PanelDefinition> DEFINITIONS =
      List.of(
          new PanelDefinition(
              "blood count",
              30,
              0.95,
              List.of(
                  "718-7", "4544-3", "6690-2", "789-8", "777-3", "787-2", "785-6", "786-4", "751-8",
                  "731-0")),
          new PanelDefinition(
              "basic metabolic",
              25,
              0.9,
              List.of(
                  "2951-2", "2823-3", "2075-0", "2028-9", "2345-7", "2160-0", "3094-0", "17861-6")),
          new PanelDefinition(
              "liver",
              12,
              0.85,
              List.of(
                  "1742-6", "1920-8", "6768-6", "2324-2", "1975-2", "1968-7", "2885-2", "1751-7")),
          new PanelDefinition("inflammation", 12, 0.7, List.of("1988-5", "33959-8", "4537-7")),
          new PanelDefinition(
              "coagulation", 8, 0.8, List.of("5902-2", "6301-6", "14979-9", "3255-7", "48065-7")),
          new PanelDefinition("cardiac", 6, 0.8, List.of("10839-9", "33762-6", "2157-6", "2532-0")),
          new PanelDefinition("lipids", 6, 0.95, List.of("2093-3", "2571-8", "2085-9", "13457-7")),
          new PanelDefinition("iron", 4, 0.8, List.of("2276-4", "2498-4", "2132-9", "2284-8")),
          new PanelDefinition("thyroid", 5, 0.9, List.of("3016-3", "3024-7")),
          new PanelDefinition(
              "urine strip",
              7,
              0.95,
              List.of(
                  "5803-2", "5811-5", "20454-5", "25428-4", "5794-3", "5797-6", "5802-4", "5799-2",
                  "2106-3")),
          new PanelDefinition(
              "other",
              10,
              0.2,
              List.of(
                  "4548-4", "3084-1", "1798-8", "3040-3", "2524-7", "62292-8", "2986-8", "2777-1",
                  "19123-9")));

  private final List<Panel> panels;
  private final double totalWeight;

  private LabPanels(List<Panel> panels) {
    this.panels = List.copyOf(panels);
    this.totalWeight = panels.stream().mapToDouble(Panel::weight).sum();
  }

  static LabPanels create(LabTestCatalog catalog) {
    List<Panel> panels = new ArrayList<>();
    for (PanelDefinition definition : DEFINITIONS) {
      List<LabTest> tests =
          definition.codes().stream()
              .map(
                  code ->
                      catalog
                          .test(code)
                          .orElseThrow(
                              () ->
                                  new IllegalStateException(
                                      "Panel "
                                          + definition.name()
                                          + " names unknown test "
                                          + code)))
              .toList();
      panels.add(new Panel(definition.name(), definition.weight(), definition.inclusion(), tests));
    }
    return new LabPanels(panels);
  }

  List<Panel> panels() {
    return panels;
  }

  /** One to three distinct panels, weighted by how often they are ordered. */
  List<Panel> order(SplittableRandom random) {
    double draw = random.nextDouble();
    int count = draw < 0.5 ? 1 : draw < 0.85 ? 2 : 3;
    List<Panel> chosen = new ArrayList<>(count);
    while (chosen.size() < count) {
      Panel panel = weightedPick(random);
      if (!chosen.contains(panel)) {
        chosen.add(panel);
      }
    }
    return chosen;
  }

  private Panel weightedPick(SplittableRandom random) {
    double target = random.nextDouble() * totalWeight;
    for (Panel panel : panels) {
      target -= panel.weight();
      if (target < 0) {
        return panel;
      }
    }
    return panels.get(panels.size() - 1);
  }

  /**
   * @param inclusion the chance that each test of the panel is part of an order
   */
  record Panel(String name, double weight, double inclusion, List<LabTest> tests) {
    Panel {
      requireNonNull(name, "name is null");
      tests = List.copyOf(tests);
    }
  }

  private record PanelDefinition(String name, double weight, double inclusion, List<String> codes) {
    PanelDefinition {
      requireNonNull(name, "name is null");
      codes = List.copyOf(codes);
    }
  }
}
