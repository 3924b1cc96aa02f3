import { h } from "./dom";

/**
 * Results where the eye is, for a page with a {@link runner} panel: on Run the output is scrolled
 * into view and takes the focus (a screen reader reads what arrives there), and a one-line status in
 * the sticky panel says what the run is doing and leads back to the results. Returns that status
 * line and the onRun hook to give the runner.
 */
export function runFlow(output: HTMLElement): { status: HTMLElement; onRun: () => void } {
  output.tabIndex = -1;
  output.id ||= "results";
  const status = h("p", { class: "run-status", "data-testid": "run-status", role: "status" });
  const reveal = (smoothly: boolean) => {
    const smooth = smoothly && !window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
    output.scrollIntoView({ block: "start", behavior: smooth ? "smooth" : "auto" });
    output.focus({ preventScroll: true });
  };
  const show = () => {
    if (output.getAttribute("aria-busy") === "true") {
      status.replaceChildren("Running…");
      return;
    }
    const failed = output.querySelector(".error, [role=alert]") !== null;
    const rows = output.querySelectorAll("table tbody tr").length;
    const link = h("a", { href: "#" + output.id }, failed ? "See the error" : "Show the results");
    link.addEventListener("click", (event) => {
      event.preventDefault(); // the hash is the route
      reveal(true);
    });
    status.replaceChildren(
      failed ? "The run failed. " : `Done${rows > 0 ? ": " + rows + (rows === 1 ? " row" : " rows") + " shown" : ""}. `,
      link,
    );
    // while "Running…" showed, the page may have been too short to bring the output up: now that the
    // results are in, again, unless the user has moved on meanwhile
    if (document.activeElement === output) {
      reveal(false);
    }
  };
  new MutationObserver(show).observe(output, { attributes: true, attributeFilter: ["aria-busy"] });
  return {
    status,
    onRun: () => {
      status.replaceChildren("Running…");
      // after the runner has put its "Running…" into the output
      requestAnimationFrame(() => reveal(true));
    },
  };
}
