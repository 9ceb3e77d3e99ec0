"""QR codes in photos are decoded and judged like links."""

import io

import segno

from handlers.adfilter import FilterConfig, check_qr_image, check_qr_image_async


def qr_png(payload: str) -> bytes:
    buf = io.BytesIO()
    segno.make(payload).save(buf, kind="png", scale=6)
    return buf.getvalue()


def test_wechat_contact_qr_is_spam():
    v = check_qr_image(qr_png("https://u.wechat.com/EFabc123"), FilterConfig())
    assert v.spam and "wechat" in v.details


def test_foreign_link_qr_is_spam_unless_allow_listed():
    image = qr_png("https://shop.example.com/promo")
    assert check_qr_image(image, FilterConfig()).spam
    assert not check_qr_image(image, FilterConfig(allowed_links=("example.com",))).spam


def test_plain_text_qr_and_non_images_are_not_spam():
    assert not check_qr_image(qr_png("hello table 12"), FilterConfig()).spam
    assert check_qr_image(b"not an image", FilterConfig()).details == "no QR code"


async def test_async_wrapper_decodes_in_a_worker_thread():
    v = await check_qr_image_async(qr_png("https://t.me/+abcdEFGH"), FilterConfig())
    assert v.spam
