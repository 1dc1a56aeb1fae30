#!/usr/bin/env python3
"""Draws the app's icons into app/static/ (stdlib only: zlib + struct, deterministic).

    python3 tools/make_icons.py [out_dir]

Sizes are the ones AppInspect checks: appIcon 36x36, appIcon_2x 72x72, appIconAlt 36x36,
appIconAlt_2x 72x72, appLogo 160x40, appLogo_2x 320x80. The PNGs are committed; rerunning
the script reproduces them byte for byte.
"""
from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

BLUE = (50, 108, 229, 255)     # Kubernetes blue
DARK = (30, 41, 59, 255)
WHITE = (255, 255, 255, 255)
RED = (220, 78, 65, 255)
CLEAR = (0, 0, 0, 0)

# 5x7 bitmap glyphs for the logo text.
FONT = {
    "k": ["10000", "10010", "10100", "11000", "10100", "10010", "10001"],
    "u": ["00000", "00000", "10001", "10001", "10001", "10011", "01101"],
    "b": ["10000", "10000", "11110", "10001", "10001", "10001", "11110"],
    "e": ["00000", "00000", "01110", "10001", "11111", "10000", "01110"],
    "p": ["00000", "11110", "10001", "10001", "11110", "10000", "10000"],
    "r": ["00000", "00000", "10110", "11001", "10000", "10000", "10000"],
    "i": ["00100", "00000", "01100", "00100", "00100", "00100", "01110"],
    "v": ["00000", "00000", "10001", "10001", "10001", "01010", "00100"],
}


def png(width: int, height: int, pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"".join(bytes(p) for p in row) for row in pixels)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def icon(size: int, background: tuple[int, int, int, int]) -> list[list[tuple[int, int, int, int]]]:
    """A rounded square with a white ship's wheel (Kubernetes) and a red dot (the finding)."""
    img = [[CLEAR] * size for _ in range(size)]
    r = size * 0.18
    c = (size - 1) / 2
    for y in range(size):
        for x in range(size):
            dx = max(abs(x - c) - (c - r), 0)
            dy = max(abs(y - c) - (c - r), 0)
            if dx * dx + dy * dy <= r * r:
                img[y][x] = background
    ring_out, ring_in = size * 0.34, size * 0.24
    for y in range(size):
        for x in range(size):
            d = math.hypot(x - c, y - c)
            if ring_in <= d <= ring_out:
                img[y][x] = WHITE
            ang = math.atan2(y - c, x - c)
            # seven spokes
            for k in range(7):
                a = -math.pi / 2 + k * 2 * math.pi / 7
                diff = abs((ang - a + math.pi) % (2 * math.pi) - math.pi)
                if d <= ring_out * 1.25 and d * diff <= size * 0.035 and d > size * 0.08:
                    img[y][x] = WHITE
    dot_c, dot_r = (size * 0.78, size * 0.22), size * 0.14
    for y in range(size):
        for x in range(size):
            if math.hypot(x - dot_c[0], y - dot_c[1]) <= dot_r:
                img[y][x] = RED
    return img


def logo(width: int, height: int) -> list[list[tuple[int, int, int, int]]]:
    img = [[CLEAR] * width for _ in range(height)]
    ic = icon(height, BLUE)
    for y in range(height):
        img[y][:height] = ic[y]
    scale = max(1, height // 20)
    x0, y0 = height + scale * 2, (height - 7 * scale) // 2
    for ch in "kubepriv":
        glyph = FONT[ch]
        for gy, row in enumerate(glyph):
            for gx, bit in enumerate(row):
                if bit == "1":
                    for yy in range(scale):
                        for xx in range(scale):
                            px, py = x0 + gx * scale + xx, y0 + gy * scale + yy
                            if px < width and py < height:
                                img[py][px] = DARK
        x0 += 6 * scale
    return img


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "app" / "static"
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "appIcon.png": (36, 36, icon(36, BLUE)),
        "appIcon_2x.png": (72, 72, icon(72, BLUE)),
        "appIconAlt.png": (36, 36, icon(36, DARK)),
        "appIconAlt_2x.png": (72, 72, icon(72, DARK)),
        "appLogo.png": (160, 40, logo(160, 40)),
        "appLogo_2x.png": (320, 80, logo(320, 80)),
    }
    for name, (w, h, pixels) in files.items():
        (out / name).write_bytes(png(w, h, pixels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
