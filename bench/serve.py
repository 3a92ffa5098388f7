"""Measure `packbuilder serve`: first byte under load, a phone-number rebuild, the live preview.

    .venv/bin/python bench/serve.py          # about 1 minute on 2 cores

It prints figures; it asserts nothing. The server is `packbuilder serve` in its own process (its
warm build pool in child processes), on a copy of the project in a temporary folder; the clients
run here, so that they do not share the server's interpreter.
"""
from __future__ import annotations

import asyncio
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
CLIENTS, REQUESTS = 20, 10
PREVIEWS = 5


def project() -> Path:
    root = Path(tempfile.mkdtemp(prefix="pb-serve-bench-"))
    for part in ("content", "locales", "layouts", "packs"):
        shutil.copytree(REPO / part, root / part)
    (root / "assets").mkdir()
    return root


def start(root: Path) -> tuple[str, subprocess.Popen]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "packbuilder"), "serve", "--port", str(port)],
                              cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(base + "/login", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    time.sleep(2)                                  # let the warm workers import WeasyPrint
    return base, server


def token(client: httpx.Client, path: str) -> str:
    return re.search(r'name="csrftoken" value="([^"]+)"', client.get(path).text).group(1)


def form_fields(html: str) -> dict:
    """Return the pack form's fields as the browser would send them."""
    data: dict = {}
    for m in re.finditer(r'<input id="[^"]+" name="([^"]+)" type="(?:text|tel|url|email)" value="([^"]*)"', html):
        data[m.group(1)] = m.group(2).replace("&amp;", "&").replace("&#34;", '"').replace("&#39;", "'")
    for m in re.finditer(r'name="([^"]+)" value="([^"]+)" checked', html):
        data.setdefault(m.group(1), []).append(m.group(2))
    for m in re.finditer(r'name="(services\[\d+\]\.category)".*?value="([^"]+)" selected', html, re.S):
        data[m.group(1)] = m.group(2)
    for key in ("pack.paper", "pack.use", "cards.size"):
        data[key] = data[key][0]
    data["csrftoken"] = re.search(r'name="csrftoken" value="([^"]+)"', html).group(1)
    return data


async def first_bytes(base: str, path: str) -> list[float]:
    """Return the time to first byte of every request of CLIENTS clients, REQUESTS each, at once.

    Each client is a keep-alive HTTP/1.1 connection written by hand on asyncio streams: on a
    2-core machine the clients share the CPU with the server, and an HTTP library's own work
    per request (httpx: about a millisecond) would be counted as the server's.
    """
    host, port = base.removeprefix("http://").split(":")
    times: list[float] = []
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()

    async def one_client() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        for _ in range(REQUESTS):
            t = time.perf_counter()
            writer.write(request)
            await writer.drain()
            await reader.read(1)
            times.append(time.perf_counter() - t)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            await reader.readexactly(length)
        writer.close()
        await writer.wait_closed()

    await asyncio.gather(*(one_client() for _ in range(CLIENTS)))
    return times


def build(client: httpx.Client, name: str) -> tuple[float, dict]:
    """Click Build; return the seconds until the zip is ready, and the result page's counts."""
    t = time.perf_counter()
    r = client.post(f"/packs/{name}/build", data={"csrftoken": token(client, f"/packs/{name}")})
    page = r.text
    while "The pack is ready" not in page and "The build stopped" not in page:
        time.sleep(0.05)
        page = client.get(str(r.url)).text
    seconds = time.perf_counter() - t
    counts = dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', page))
    return seconds, counts


def main() -> None:
    root = project()
    base, server = start(root)
    client = httpx.Client(base_url=base, timeout=300, follow_redirects=True)
    client.post("/packs", data={"csrftoken": token(client, "/packs"), "name": "bench", "from": "example-branded"})
    first, _ = build(client, "bench")
    print(f"packbuilder serve on {root} ({sys.version.split()[0]}, 2 warm build workers)")
    print(f"first build of the example-branded pack in the server: {first:.2f} s")

    for path in ("/", "/packs/bench"):
        times = asyncio.run(first_bytes(base, path))
        q = statistics.quantiles(times, n=20)
        print(f"first byte, {CLIENTS} concurrent clients x {REQUESTS}, GET {path}: median "
              f"{statistics.median(times) * 1000:.1f} ms, p95 {q[18] * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")

    rebuilds = []
    for n in range(3):                             # three phone numbers, one after another
        fields = form_fields(client.get("/packs/bench").text)
        fields.update({"brand.contact.phone": f"+1 401-555-018{n}", "action": "save"})
        client.post("/packs/bench", data=fields)
        seconds, counts = build(client, "bench")
        rebuilds.append(seconds)
    rebuild = statistics.median(rebuilds)
    cold = []
    for _ in range(3):
        out = Path(tempfile.mkdtemp(prefix="pb-cold-"))
        t = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "packbuilder"), "build", "--quiet", "--pack",
                        str(root / "packs/bench/pack.toml"), "--out", str(out)], check=True, capture_output=True)
        cold.append(time.perf_counter() - t)
        shutil.rmtree(out)
    print(f"phone number changed, click to zip ready (median of 3): {rebuild:.2f} s ({counts.get('Files made now')} made, "
          f"{counts.get('Files reused (unchanged)')} reused; runs {', '.join(f'{r:.2f}' for r in rebuilds)} s)")
    print(f"CLI cold build of the same pack (median of 3, fresh output folder): {statistics.median(cold):.2f} s; "
          f"ratio {rebuild / statistics.median(cold):.2f} (target <= 0.3)")

    previews = []
    for n in range(PREVIEWS):
        fields = form_fields(client.get("/packs/bench").text)
        fields.update({"brand.contact.phone": f"+1 401-555-01{n:02d}", "preview_lang": "es"})
        t = time.perf_counter()
        answer = client.post("/packs/bench/preview", data=fields,
                             headers={"x-csrf-token": fields["csrftoken"]}).json()
        previews.append(time.perf_counter() - t)
        assert answer["ok"], answer
    print(f"live preview after a field change (card front, back, handout title block; {PREVIEWS} runs): median "
          f"{statistics.median(previews):.2f} s, max {max(previews):.2f} s (target < 1.5 s)")
    server.terminate()
    server.wait(30)
    client.close()
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
