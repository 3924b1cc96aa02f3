import { ApiError, type ApiClient } from "../api";
import { errorMessage, h } from "../dom";
import type { Me } from "../types";

/** The login form; calls {@code onLoggedIn} after the server accepted the credentials. */
export function loginPage(api: ApiClient, onLoggedIn: (me: Me) => void): HTMLElement {
  const name = h("input", { id: "login-name", name: "name", type: "text", autocomplete: "username", required: true });
  const password = h("input", {
    id: "login-password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const submit = h("button", { type: "submit" }, "Log in");
  const feedback = h("div", { class: "feedback", "aria-live": "assertive" });
  const form = h(
    "form",
    { class: "login", novalidate: true, "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, "Log in to medlake"),
    h("div", { class: "field" }, h("label", { for: "login-name" }, "User name"), name),
    h("div", { class: "field" }, h("label", { for: "login-password" }, "Password"), password),
    submit,
    feedback,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    feedback.replaceChildren();
    if (name.value.trim() === "" || password.value === "") {
      feedback.append(errorMessage("Enter your user name and password."));
      (name.value.trim() === "" ? name : password).focus();
      return;
    }
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    submit.textContent = "Logging in…";
    try {
      const me = await api.login(name.value.trim(), password.value);
      password.value = "";
      onLoggedIn(me);
    } catch (error) {
      feedback.append(errorMessage(error instanceof ApiError ? error.message : String(error)));
      password.value = "";
      password.focus();
    } finally {
      submit.disabled = false;
      form.removeAttribute("aria-busy");
      submit.textContent = "Log in";
    }
  });
  queueMicrotask(() => name.focus());
  return h("section", { class: "page page-login" }, form);
}
