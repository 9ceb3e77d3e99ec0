"""QR codes in images: decode them and judge what they point to."""

from __future__ import annotations

import asyncio
import io

from handlers.adfilter.config import FilterConfig
from handlers.adfilter.links import INVITE_RE, is_allowed
from handlers.adfilter.verdict import Verdict

NAME = "qr_code"
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
_WECHAT = ("u.wechat.com", "weixin.qq.com", "wxp://", "wx.qq.com", "qm.qq.com", "jq.qq.com")


def decode_qr(image: bytes) -> list[str]:
    """Texts of every QR code found in an image (PNG/JPEG/... bytes); [] if none or unreadable."""
    import zxingcpp
    from PIL import Image

    try:
        with Image.open(io.BytesIO(image)) as img:
            if img.width * img.height > MAX_PIXELS:
                return []
            gray = img.convert("L")
        barcodes = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    except (OSError, ValueError):  # not an image, truncated, unsupported format
        return []
    return [b.text for b in barcodes if b.text]


def judge_qr_texts(texts: list[str], config: FilterConfig) -> Verdict:
    """Spam when a QR code holds a WeChat/QQ contact or a link outside the allow-list."""
    if not texts:
        return Verdict(NAME, False, 0.0, "no QR code")
    for text in texts:
        lowered = text.strip().casefold()
        is_link = "://" in lowered or lowered.startswith(("www.", "t.me/"))
        if is_link and is_allowed(lowered, config.allowed_links):
            continue
        if any(marker in lowered for marker in _WECHAT) or INVITE_RE.search(lowered):
            return Verdict(NAME, True, 0.95, f"QR code with a contact or group invite: {text}")
        if is_link:
            return Verdict(NAME, True, 0.9, f"QR code links outside the allow-list: {text}")
    return Verdict(NAME, False, 0.0, f"QR code without links: {texts[0][:60]}")


def check_qr_image(image: bytes, config: FilterConfig) -> Verdict:
    """Decode QR codes in `image` and judge them (CPU-bound: call `check_qr_image_async`)."""
    return judge_qr_texts(decode_qr(image), config)


async def check_qr_image_async(image: bytes, config: FilterConfig) -> Verdict:
    """`check_qr_image` in a worker thread, so decoding never blocks the event loop."""
    return await asyncio.to_thread(check_qr_image, image, config)


async def decode_qr_async(image: bytes) -> list[str]:
    """`decode_qr` in a worker thread: the photo worker decodes without blocking the loop."""
    return await asyncio.to_thread(decode_qr, image)
