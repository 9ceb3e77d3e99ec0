"""The baseline: a bare FastAPI endpoint that returns `{}`, served exactly like Qunbot."""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.post("/webhook/telegram")
async def webhook() -> dict:
    return {}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, proxy_headers=True)
