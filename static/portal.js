// Progressive enhancement only: every page works without this file.
import { initAll } from "./dist/govuk-frontend.min.js";

initAll();

// Radios that reveal a follow-up question (GOV.UK's conditional reveal pattern), without the
// aria-expanded that GOV.UK Frontend puts on radios (not allowed by ARIA on role=radio): the
// revealed block is tied to its radio by aria-controls, and shown only while that radio is on.
for (const group of document.querySelectorAll('[data-app-module="conditional-radios"]')) {
  const radios = [...group.querySelectorAll('input[type="radio"]')];
  const sync = () => {
    for (const radio of radios) {
      const id = radio.getAttribute("data-aria-controls");
      const target = id && document.getElementById(id);
      if (!target) continue;
      radio.setAttribute("aria-controls", id);
      target.classList.toggle("govuk-radios__conditional--hidden", !radio.checked);
    }
  };
  for (const radio of radios) radio.addEventListener("change", sync);
  sync();
}

// A long list of people (the successor: some 200 officers) becomes GOV.UK's accessible
// autocomplete, searching name, rank, unit and staff number. Without JavaScript, or before
// the script loads, it stays a plain select.
if (window.accessibleAutocomplete) {
  for (const select of document.querySelectorAll("select[data-app-autocomplete]")) {
    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: "",
      showAllValues: false,
      minLength: 2,
      dropdownArrow: () => "",
      tNoResults: () => "No serving officer matches",
    });
  }
}
