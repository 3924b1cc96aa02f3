import type { MissingDelivery } from "./types";

/**
 * One warning line per month for hospitals that have not delivered, e.g.
 * "No delivery for 2026-10 from H001 (source h001), H003 (source h003).", or none when all delivered.
 */
export function missingDeliveryWarnings(missing: MissingDelivery[]): string[] {
  const byMonth = new Map<string, MissingDelivery[]>();
  for (const delivery of missing) {
    byMonth.set(delivery.month, [...(byMonth.get(delivery.month) ?? []), delivery]);
  }
  return [...byMonth.entries()]
    .sort(([left], [right]) => right.localeCompare(left))
    .map(([month, deliveries]) => {
      const hospitals = [...deliveries]
        .sort((a, b) => a.hospital_id.localeCompare(b.hospital_id))
        .map((delivery) => `${delivery.hospital_id} (source ${delivery.source_id})`);
      return `No delivery for ${month} from ${hospitals.join(", ")}.`;
    });
}
