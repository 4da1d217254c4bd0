"""Reads ESC/POS bytes back the way a Chinese thermal printer does, for the receipt tests.

Written from the ESC/POS command reference, independently of the encoder: outside Chinese mode
a byte 0x20-0x7E is one half-width character; between `FS &` and `FS .` the bytes are
GBK/GB18030 characters, each full width. A byte >= 0x80 outside Chinese mode, an unknown
command or a truncated one is an error, as it would be garbage on paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, FS, LF = 0x1B, 0x1D, 0x1C, 0x0A


@dataclass
class Line:
    text: str = ""
    columns: int = 0  # printed width in half-width columns, size multiplier included
    width_mul: int = 1
    height_mul: int = 1
    bold: bool = False
    chinese_segments: list[str] = field(default_factory=list)


@dataclass
class Printout:
    lines: list[Line] = field(default_factory=list)
    qr_data: list[bytes] = field(default_factory=list)  # GS ( k, cn=49, fn=80 (store)
    qr_printed: int = 0  # GS ( k, cn=49, fn=81 (print)
    qr_settings: dict = field(default_factory=dict)
    images: int = 0  # GS v 0 raster images
    cuts: int = 0
    inits: int = 0

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts)


class ReadError(AssertionError):
    pass


def read(data: bytes, encoding: str = "gbk") -> Printout:
    out = Printout()
    line = Line()
    width_mul, height_mul, bold = 1, 1, False
    chinese = False
    i = 0
    n = len(data)

    def need(count: int) -> bytes:
        if i + count > n:
            raise ReadError(f"truncated command at byte {i}: {data[i:i + count]!r}")
        return data[i:i + count]

    def end_line():
        nonlocal line
        out.lines.append(line)
        line = Line(width_mul=width_mul, height_mul=height_mul, bold=bold)

    while i < n:
        b = data[i]
        if chinese and b != FS:
            j = data.find(bytes([FS]), i)
            if j < 0:
                raise ReadError("Chinese mode never cancelled")
            segment = data[i:j].decode(encoding)  # raises on bytes the printer could not read
            for ch in segment:
                if ch.isascii():
                    raise ReadError(f"ASCII {ch!r} inside Chinese mode")
            line.text += segment
            line.columns += 2 * len(segment) * width_mul
            line.chinese_segments.append(segment)
            i = j
            continue
        if b == LF:
            end_line()
            i += 1
        elif 0x20 <= b <= 0x7E:
            line.text += chr(b)
            line.columns += width_mul
            i += 1
        elif b == FS:
            cmd = need(2)[1]
            if cmd == 0x26:
                chinese = True
            elif cmd == 0x2E:
                chinese = False
            else:
                raise ReadError(f"unknown FS command {cmd:#x}")
            i += 2
        elif b == ESC:
            cmd = need(2)[1]
            if cmd == ord("@"):
                out.inits += 1
                width_mul, height_mul, bold, chinese = 1, 1, False, False
                i += 2
            elif cmd in b"EaMt-G!d":
                arg = need(3)[2]
                if cmd == ord("E"):
                    bold = bool(arg & 1)
                elif cmd == ord("!"):
                    width_mul = 2 if arg & 0x20 else 1
                    height_mul = 2 if arg & 0x10 else 1
                elif cmd == ord("d"):
                    for _ in range(arg):
                        end_line()
                i += 3
            else:
                raise ReadError(f"unknown ESC command {cmd:#x} at byte {i}")
            line.width_mul, line.height_mul, line.bold = width_mul, height_mul, bold
        elif b == GS:
            cmd = need(2)[1]
            if cmd == ord("!"):
                arg = need(3)[2]
                width_mul, height_mul = (arg >> 4) + 1, (arg & 0x0F) + 1
                line.width_mul, line.height_mul = width_mul, height_mul
                i += 3
            elif cmd == ord("V"):
                m = need(3)[2]
                i += 3 if m in (0, 1, 48, 49) else 4
                out.cuts += 1
            elif cmd == ord("("):
                head = need(5)
                if head[2] != ord("k"):
                    raise ReadError(f"unknown GS ( command {head[2]:#x}")
                size = head[3] + 256 * head[4]
                body = need(5 + size)[5:]
                cn, fn = body[0], body[1]
                if cn != 49:
                    raise ReadError("not a QR code command")
                if fn == 80:
                    out.qr_data.append(body[3:])  # after cn, fn, m
                elif fn == 81:
                    out.qr_printed += 1
                else:
                    out.qr_settings[fn] = body[2:]
                i += 5 + size
            elif cmd == ord("v"):
                head = need(8)
                x = head[4] + 256 * head[5]
                y = head[6] + 256 * head[7]
                need(8 + x * y)
                out.images += 1
                i += 8 + x * y
            else:
                raise ReadError(f"unknown GS command {cmd:#x} at byte {i}")
        else:
            raise ReadError(f"byte {b:#x} outside Chinese mode at {i}: it would print as garbage")
    if line.text:
        end_line()
    return out
