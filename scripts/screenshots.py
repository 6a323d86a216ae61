"""Screenshots of every page of every demo person's menu, on a desktop and on a phone.

    .venv/bin/python scripts/screenshots.py                 # serve the seeded database of `make run` itself
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000   # or use a server already running
    .venv/bin/python scripts/screenshots.py --users agent1 head1 --out /tmp/shots

Logs in as each demo user (kefu/org/demo.py, password kefu-demo-2026) with headless Chromium
(/usr/bin/chromium, or KEFU_CHROMIUM) driven by Playwright, follows the links of their navigation menu and
saves each page at 1440×900 and 390×844 as ``screenshots/<user>/<page>-desktop.png`` and ``-phone.png``
(the whole page, not only the first screen). Without ``--url`` it starts Django's server on a free local
port over the database of ``KEFU_DATA_DIR`` (default ``data/``, which ``make run`` seeds) and stops it at
the end; seed it first (``make seed``) or pass ``--seed``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
PASSWORD = "kefu-demo-2026"  # noqa: S105 - the published demo password (API.md "Demo data")
CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
SEED_COMMANDS = ["seed_demo", "seed_demo_customers", "seed_demo_tickets", "seed_demo_knowledge",
                 "seed_demo_announcements"]


def demo_users() -> list[str]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()
    from kefu.org.demo import PEOPLE

    return [username for username, *_rest in PEOPLE]


def page_name(path: str) -> str:
    """``/`` → ``home``, ``/customers/my-day/`` → ``customers-my-day``."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", path.strip("/")).strip("-")
    return slug or "home"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=5):  # noqa: S310 - our own local server
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"the server at {url} did not answer within {seconds:.0f} s") from None
            time.sleep(0.5)


@contextlib.contextmanager
def local_server(seed: bool):
    """Django's development server over the `make run` database, on a free port, for the duration."""
    manage = [str(PYTHON), "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, check=True,  # noqa: S603 - fixed commands
                   stdout=subprocess.DEVNULL)
    if seed:
        for command in SEED_COMMANDS:
            subprocess.run([*manage, command], cwd=ROOT, check=True)  # noqa: S603
    port = _free_port()
    server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],  # noqa: S603
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(re.compile(r".*/$"))
    if "/login/" in page.url:
        raise SystemExit(f"{username} could not log in (is the database seeded?)")


def menu_paths(page) -> list[str]:
    """The pages of the person's navigation menu, in menu order, the home page first."""
    hrefs = page.eval_on_selector_all("#navbar-menu a[href]", "els => els.map(a => a.getAttribute('href'))")
    paths = [h for h in hrefs if h and h.startswith("/")]
    return list(dict.fromkeys(["/", *paths]))


def settle(page) -> None:
    """Wait until the page, its HTMX fragments and its charts have drawn."""
    with contextlib.suppress(Exception):
        page.wait_for_load_state("networkidle", timeout=10_000)
    page.wait_for_timeout(600)  # chart animations


def shoot(browser, base_url: str, username: str, out: Path) -> list[Path]:
    saved: list[Path] = []
    folder = out / username
    folder.mkdir(parents=True, exist_ok=True)
    for device, viewport in VIEWPORTS.items():
        context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN",
                                      device_scale_factor=1, is_mobile=device == "phone", has_touch=device == "phone")
        context.set_default_timeout(30_000)
        page = context.new_page()
        try:
            log_in(page, username)
            for path in menu_paths(page):
                response = page.goto(path)
                settle(page)
                target = folder / f"{page_name(path)}-{device}.png"
                page.screenshot(path=str(target), full_page=True)
                status = response.status if response else "?"
                print(f"{username:10} {device:7} {status} {path:32} → {target.relative_to(out.parent)}")
                saved.append(target)
        finally:
            context.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running kefu (default: start one over the `make run` database)")
    parser.add_argument("--users", nargs="*", help="demo usernames (default: all of kefu/org/demo.py)")
    parser.add_argument("--out", default=str(ROOT / "screenshots"), help="folder (default: screenshots/)")
    parser.add_argument("--seed", action="store_true", help="seed the demo data first (without --url)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    users = args.users or demo_users()
    out = Path(args.out).resolve()
    server = contextlib.nullcontext(args.url.rstrip("/")) if args.url else local_server(args.seed)
    started = time.monotonic()
    count = 0
    with server as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            for username in users:
                count += len(shoot(browser, base_url, username, out))
        finally:
            browser.close()
    print(f"{count} screenshots of {len(users)} people in {out} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
