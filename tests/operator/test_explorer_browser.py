# SPDX-License-Identifier: MIT
"""The explorer in a real browser: a uvicorn server on 127.0.0.1 (a free port, in a
thread) serving the router over the test chain, and Debian's headless Chromium reading it.
``--dump-dom`` gives the DOM as the browser parsed it, compared with the store (the block
list, a block's verdicts, the pool plot: one point per block); ``--screenshot`` gives a
PNG of the pool page, saved in the test's tmp_path, decoded (``png_pixels``, checked
against Pillow where it is installed) and required to show the page: not blank, and the
pool's line drawn in its colour inside the chart. Skipped, with the reason, where
/usr/bin/chromium is absent (.ci/run installs it)."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the explorer needs zkcx[network]")
uvicorn = pytest.importorskip("uvicorn", reason="the explorer needs zkcx[network]")

from fastapi import FastAPI  # noqa: E402

from tests.operator.explorer_chain import build_chain  # noqa: E402
from tests.operator.explorer_pages import Page, polyline_points  # noqa: E402
from tests.operator.png_pixels import chunks, pixels  # noqa: E402
from tests.rollup.conftest import Kernels  # noqa: E402
from zkcx.operator import explorer  # noqa: E402
from zkcx.rollup import SQLiteChainStore  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1200, 900
POOL_BLUE = (0x24, 0x56, 0xC7)  # the pool line's stroke (templates/explorer.css: --accent)

pytestmark = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium; "
           ".ci/run installs it)")


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return build_chain(tmp_path_factory.mktemp("explorer-browser") / "chain.db", Kernels())


@pytest.fixture(scope="module")
def server(chain):
    """http://127.0.0.1:PORT of a uvicorn server running the explorer in a thread."""
    app = FastAPI()
    app.include_router(explorer.router(
        lambda: SQLiteChainStore.open(chain.path, read_only=True)))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()


def chromium(profile, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
               *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_chromium_shows_the_blocks_and_their_verdicts(server, chain, tmp_path):
    with SQLiteChainStore.open(chain.path, read_only=True) as store:
        head = store.head().height
        block = store.block(2)
    dom = Page(chromium(tmp_path / "profile", "--dump-dom", f"{server}/blocks/2").stdout)
    rows = [(int(e.attrs["data-index"]), e.attrs["data-verdict"], e.attrs["data-reason"])
            for e in dom.find("tr", "claim")]
    reasons = {r.index: r.reason.value for r in block.rejected}
    assert rows == [(i, "rejected", reasons[i]) if i in reasons else (i, "accepted", "")
                    for i in range(len(block.accepted) + len(block.rejected))]
    assert dom.text("block-hash") == block.hash.hex()
    nav = {a.attrs.get("rel"): a.attrs["href"] for a in dom.find("a") if a.attrs.get("rel")}
    assert nav["prev"] == "/blocks/1" and (nav.get("next") == "/blocks/3") == (head > 2)


def test_chromium_draws_the_pool_plot_and_screenshots_it(server, chain, tmp_path):
    with SQLiteChainStore.open(chain.path, read_only=True) as store:
        blocks = store.head().height + 1
    dom = Page(chromium(tmp_path / "profile", "--dump-dom", f"{server}/pool").stdout)
    assert len(polyline_points(dom, "pool-line")) == blocks
    assert len(polyline_points(dom, "emission-line")) == blocks
    assert [int(e.attrs["data-pool"]) for e in dom.find("tr", "pool-row")] == \
        chain.pools[::-1]

    shot = tmp_path / "pool.png"
    chromium(tmp_path / "profile", f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}",
             "--hide-scrollbars", f"{server}/pool")
    data = shot.read_bytes()
    kinds = [kind for kind, _ in chunks(data)]
    assert kinds[0] == b"IHDR" and b"IDAT" in kinds
    image = pixels(data)
    assert image.shape[:2] == (HEIGHT, WIDTH)
    try:
        from PIL import Image
    except ImportError:
        pass
    else:  # the decoder above agrees with an imaging library where there is one
        with Image.open(shot) as reference:
            assert np.array_equal(np.asarray(reference.convert(
                {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[image.shape[2]])), image)
    rgb = image[..., :3].astype(int) if image.shape[2] >= 3 else \
        np.repeat(image[..., :1].astype(int), 3, axis=2)
    colours = {tuple(c) for c in rgb[::7, ::7].reshape(-1, 3)}
    assert len(colours) > 20, "a blank or near-blank screenshot"
    background = np.bincount((rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2]).ravel()
                             ).argmax()
    drawn = ((rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2]) != background).mean()
    assert drawn > 0.05, f"only {drawn:.1%} of the page differs from its background"
    # the pool's line, below the navigation bar (whose button shares the colour)
    blue = (np.abs(rgb - np.array(POOL_BLUE)).sum(axis=2) < 40)[80:]
    assert blue.sum() > 300, "the pool line is not drawn in the screenshot"
