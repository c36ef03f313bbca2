// Builds the portal's stylesheet and scripts from the govuk-frontend npm package into static/dist/.
// The force is not a central-government department: no GDS Transport font and no crown.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "static", "dist");
mkdirSync(out, { recursive: true });

const result = sass.compile(join(root, "static", "src", "portal.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "mixed-decls", "color-functions"],
});
writeFileSync(join(out, "portal.css"), result.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(out, "assets", "images"), { recursive: true });
cpSync(join(govuk, "assets", "manifest.json"), join(out, "assets", "manifest.json"));
// GOV.UK's accessible autocomplete (alphagov, MIT), served from the portal's own static files.
const autocomplete = join(root, "node_modules", "accessible-autocomplete", "dist");
// With their source maps: each file names its map, and the manifest storage of collectstatic
// refuses a file whose reference it cannot find.
for (const name of ["accessible-autocomplete.min.js", "accessible-autocomplete.min.css"]) {
  cpSync(join(autocomplete, name), join(out, name));
  cpSync(join(autocomplete, `${name}.map`), join(out, `${name}.map`));
}
console.log(`built ${out}/portal.css (${result.css.length} bytes) and copied GOV.UK Frontend scripts and images`);
