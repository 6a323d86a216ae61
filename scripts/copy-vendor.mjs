// Copies the browser builds of the npm packages into kefu/static/vendor/ (no bundler needed).
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(dirname(new URL(import.meta.url).pathname), "..");
const out = join(root, "kefu", "static", "vendor");
const files = {
  "@tabler/core/dist/css/tabler.min.css": "tabler/tabler.min.css",
  "@tabler/core/dist/js/tabler.min.js": "tabler/tabler.min.js",
  "@tabler/icons-webfont/dist/tabler-icons.min.css": "tabler-icons/tabler-icons.min.css",
  "@tabler/icons-webfont/dist/fonts": "tabler-icons/fonts",
  "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
  "alpinejs/dist/cdn.min.js": "alpine/alpine.min.js",
  "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
};
rmSync(out, { recursive: true, force: true });
for (const [from, to] of Object.entries(files)) {
  const target = join(out, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", from), target, { recursive: true });
}
console.log(`vendor assets copied to ${out}`);
