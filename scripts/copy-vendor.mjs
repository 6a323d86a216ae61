// Copies the browser builds of the npm packages into kefu/static/vendor/ (no bundler needed).
//
// A copied .css/.js file that names a source map (`sourceMappingURL=…`) gets that map copied beside it;
// when the package ships no such map the comment is removed. Production's collectstatic
// (ManifestStaticFilesStorage) rewrites these references and stops at a missing file, so every file a
// vendor asset points at must exist.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(dirname(new URL(import.meta.url).pathname), "..");
const out = join(root, "kefu", "static", "vendor");
const building = join(root, "node_modules", ".kefu-vendor-building"); // ignored by git, same disk
const files = {
  "@tabler/core/dist/css/tabler.min.css": "tabler/tabler.min.css",
  "@tabler/core/dist/js/tabler.min.js": "tabler/tabler.min.js",
  "@tabler/icons-webfont/dist/tabler-icons.min.css": "tabler-icons/tabler-icons.min.css",
  "@tabler/icons-webfont/dist/fonts": "tabler-icons/fonts",
  "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
  "alpinejs/dist/cdn.min.js": "alpine/alpine.min.js",
  "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
};
const MAP_COMMENT = /\n?(?:\/\/[#@] ?sourceMappingURL=([^\s*]+)[^\n]*|\/\*[#@] ?sourceMappingURL=([^\s*]+)\s*\*\/)/g;

function withSourceMaps(source, target) {
  if (!/\.(css|js)$/.test(target)) return;
  const text = readFileSync(target, "utf8");
  let stripped = false;
  const kept = text.replace(MAP_COMMENT, (comment, jsUrl, cssUrl) => {
    const url = jsUrl || cssUrl;
    if (!url.startsWith("data:") && !/^[a-z]+:/i.test(url) && !url.startsWith("/")) {
      const map = join(dirname(source), url);
      if (existsSync(map)) {
        cpSync(map, join(dirname(target), url));
        return comment;
      }
    }
    stripped = true;
    return "";
  });
  if (stripped) writeFileSync(target, kept);
}

rmSync(building, { recursive: true, force: true });
for (const [from, to] of Object.entries(files)) {
  const source = join(root, "node_modules", from);
  const target = join(building, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(source, target, { recursive: true });
  if (statSync(source).isFile()) withSourceMaps(source, target);
}
// Swap the finished folder in, so a server running meanwhile misses the files only for a moment.
rmSync(out, { recursive: true, force: true });
renameSync(building, out);
console.log(`vendor assets copied to ${out}`);
