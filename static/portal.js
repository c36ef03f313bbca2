// Progressive enhancement only: every page works without this file.
import { initAll } from "./dist/govuk-frontend.min.js";

initAll();
