"""QR checks of photos: decoding cost, and what decoding in a worker thread buys the event loop.

Run from the repo root: `.venv/bin/python bench/qr_photos.py [--photos 40]`. It makes photos like
the ones members post (JPEG, 800-1280 px; half show a QR code, half none) and measures:

- decode time per photo (`decode_qr`), with a baseline in the same run: decoding the same JPEG
  into pixels with Pillow alone, the least any image check costs; the ratio is the price of the
  QR search on top of it;
- the longest stall of the event loop while the photos are decoded, inline in the loop versus
  through `decode_qr_async` (a worker thread), measured by a 5 ms ticker on the loop. The worker
  thread is why a burst of photos never delays webhook acknowledgements.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import segno  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from handlers.adfilter.qr import decode_qr, decode_qr_async  # noqa: E402


def photo(index: int, with_code: bool) -> bytes:
    size = 800 + (index % 3) * 240
    image = Image.new("RGB", (size, size), (240 - index % 40, 200, 160 + index % 60))
    draw = ImageDraw.Draw(image)
    for y in range(0, size, 16):
        draw.line([(0, y), (size, y + index % 50)], fill=(120, 90 + y % 120, 60), width=3)
    if with_code:
        png = io.BytesIO()
        segno.make(f"https://u.wechat.com/ad{index:04d}", error="m").save(png, kind="png", scale=8)
        code = Image.open(io.BytesIO(png.getvalue())).convert("RGB")
        image.paste(code, (size // 4, size // 4))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def pixels_only(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as img:
        img.convert("L").load()


def per_photo(function, photos: list[bytes], rounds: int = 3) -> float:
    """Median over rounds of the mean seconds per photo."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for data in photos:
            function(data)
        times.append((time.perf_counter() - start) / len(photos))
    return statistics.median(times)


async def longest_stall(work) -> float:
    """The longest gap between 5 ms ticks of the event loop while `work()` runs."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    await work()
    done.set()
    await task
    return max(gaps)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=40)
    args = parser.parse_args()
    photos = [photo(i, with_code=i % 2 == 0) for i in range(args.photos)]
    found = sum(1 for data in photos if decode_qr(data))
    print(f"{len(photos)} photos, {found} with a QR code found (expected {len(photos[::2])})")

    base = per_photo(pixels_only, photos)
    qr = per_photo(decode_qr, photos)
    print(f"Pillow decode only (baseline): {base * 1000:7.1f} ms/photo")
    print(f"decode_qr:                     {qr * 1000:7.1f} ms/photo  ({qr / base:.1f}x baseline)")
    print(f"one core checks about {1 / qr:.0f} photos/s")

    async def inline() -> None:
        for data in photos:
            decode_qr(data)

    async def threaded() -> None:
        for data in photos:
            await decode_qr_async(data)

    stall_inline = await longest_stall(inline)
    stall_thread = await longest_stall(threaded)
    print(f"longest event-loop stall, decoding inline:       {stall_inline * 1000:7.1f} ms")
    print(
        f"longest event-loop stall, in a worker thread:    {stall_thread * 1000:7.1f} ms"
        f"  ({stall_inline / stall_thread:.0f}x shorter)"
    )


if __name__ == "__main__":
    asyncio.run(main())
