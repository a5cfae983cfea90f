// The app's script, served from public/assets (no build step, no framework).
// It asks before a form with data-confirm is submitted: the destroy buttons
// of scaffolded pages ({{button_to ... "confirm" "Are you sure?"}}). It is a
// file from the app's own origin, so it runs under a Content-Security-Policy
// of script-src 'self' (inline handlers would not).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.getAttribute("data-confirm");
  if (message !== null && !window.confirm(message)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// A submit button with data-disable-with shows that text and is disabled
// while its form is being sent, so a double click does not post twice.
document.addEventListener("submit", (event) => {
  if (event.defaultPrevented) return;
  for (const button of event.target.querySelectorAll("[data-disable-with]")) {
    const label = button.getAttribute("data-disable-with");
    if (button.tagName === "INPUT") button.value = label; else button.textContent = label;
    setTimeout(() => { button.disabled = true; }); // after the browser read the button's value
  }
});
