"""How long a receipt takes to render (ESC/POS at 32 and 48 columns, HTML at 58 and 80 mm) and to
print over TCP to a local listener. Prints figures; asserts nothing.

    .venv/bin/python bench/receipts.py [--n 300]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.config import TestConfig
from app.pos.printing import PrinterConfig, print_receipt
from app.pos.receipts import render_escpos, render_html, sample_receipt


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(name: str, samples: list[float], size: int | None = None) -> None:
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    extra = f"  {size} bytes" if size else ""
    print(f"{name:<28} p50 {statistics.median(samples):7.2f} ms   p99 {p99:7.2f} ms{extra}")


def sink() -> int:
    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            conn, _ = server.accept()
            with conn:
                while conn.recv(65536):
                    pass

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    n = parser.parse_args().n
    conf = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app(conf)
    receipt = sample_receipt()
    print(f"receipt: {len(receipt.lines)} lines, QR to {receipt.feedback_url}; {n} runs each")
    with app.test_request_context("/"):
        for columns in (32, 48):
            size = len(render_escpos(receipt, columns=columns))
            report(f"ESC/POS {columns} columns", timed(lambda c=columns: render_escpos(receipt, columns=c), n), size)
        for paper in (58, 80):
            size = len(render_html(receipt, paper_mm=paper).encode())
            report(f"HTML {paper} mm", timed(lambda p=paper: render_html(receipt, paper_mm=p), n), size)
        config = PrinterConfig.parse(f"tcp://127.0.0.1:{sink()}")
        report("print over TCP (loopback)", timed(lambda: print_receipt(receipt, config), n))


if __name__ == "__main__":
    main()
