/** A tiny element builder: no innerHTML anywhere, so server text can never become markup. */
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) {
      continue;
    }
    element.setAttribute(name, value === true ? "" : value);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

export function clear(element: Element): void {
  element.replaceChildren();
}

/** A loading placeholder announced to screen readers. */
export function loading(text = "Loading…"): HTMLElement {
  return h("p", { class: "status loading", role: "status", "aria-live": "polite" }, text);
}

/** An error message announced to screen readers. */
export function errorMessage(text: string): HTMLElement {
  return h("p", { class: "status error", role: "alert" }, text);
}
