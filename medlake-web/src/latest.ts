/**
 * Which of several overlapping loads into one place may still show its answer: only the one
 * started last. A page that loads a list and then, before the answer arrives, loads it again with
 * a filter must not have the first (unfiltered) answer overwrite the second when it arrives late.
 */
const generations = new WeakMap<object, number>();

/** Starts a load into {@code target}; the returned function tells whether it is still the latest. */
export function startLoad(target: object): () => boolean {
  const generation = (generations.get(target) ?? 0) + 1;
  generations.set(target, generation);
  return () => generations.get(target) === generation;
}
