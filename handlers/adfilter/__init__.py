"""Ad and spam detection for group chats: pure checks, explained verdicts, one decision.

The webhook handler builds a `MessageFeatures` from a platform update, looks up the group's
`FilterConfig` and `SpamModel`, and calls `classify`; `scan_qr_async` checks photos.
"""

try:
    import handlers.adfilter.hashed  # noqa: F401
except ModuleNotFoundError as e:  # a checkout the install did not build
    raise ImportError("handlers.adfilter.hashed is not built: install the package "
                      "(make .venv/.installed, or pip install -e '.[dev]'; needs gcc)") from e
from handlers.adfilter.config import FilterConfig
from handlers.adfilter.corpus import starter_model
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.model import SpamModel
from handlers.adfilter.normalize import Normalized, normalize
from handlers.adfilter.pipeline import classify
from handlers.adfilter.qr import check_qr_image, check_qr_image_async
from handlers.adfilter.verdict import Decision, Verdict, combine

__all__ = [
    "Decision",
    "FilterConfig",
    "MessageFeatures",
    "Normalized",
    "SpamModel",
    "Verdict",
    "check_qr_image",
    "check_qr_image_async",
    "classify",
    "combine",
    "normalize",
    "starter_model",
]
