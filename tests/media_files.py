"""Small but valid video files, built here byte by byte, for the tests that upload videos:
an MP4 (or QuickTime) file, a WebM (Matroska) file and an Ogg Theora file, each saying how
long it plays. They hold no pictures: only what a container says about its length."""

import struct


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(seconds: float, brand: bytes = b"isom") -> bytes:
    """An ISO base media file (MP4, M4V with brand ``M4V ``, QuickTime with ``qt  ``): its
    movie header gives the length, in units of 1/1000 s."""
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 0x200) + brand + b"mp41")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(
        b"mvhd",
        struct.pack(">I4I", 0, 0, 0, 1000, round(seconds * 1000))
        + struct.pack(">IH", 0x10000, 0x100)
        + b"\x00" * 10
        + matrix
        + b"\x00" * 24
        + struct.pack(">I", 2),
    )
    tkhd = _box(
        b"tkhd",
        struct.pack(">I5I", 3, 0, 0, 1, 0, round(seconds * 1000))
        + b"\x00" * 8
        + struct.pack(">hhh", 0, 0, 0)
        + b"\x00" * 2
        + matrix
        + struct.pack(">II", 320 << 16, 240 << 16),
    )
    return ftyp + _box(b"moov", mvhd + _box(b"trak", tkhd)) + _box(b"mdat", b"")


def _vint(n: int) -> bytes:
    return bytes([0x80 | n]) if n < 0x7F else struct.pack(">Q", n | (0x01 << 56))


def _ebml(element_id: int, payload: bytes) -> bytes:
    return element_id.to_bytes((element_id.bit_length() + 7) // 8, "big") + _vint(len(payload)) + payload


def _uint(element_id: int, value: int) -> bytes:
    return _ebml(element_id, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def webm(seconds: float | None, doctype: bytes = b"webm") -> bytes:
    """A WebM (or Matroska, ``doctype=b"matroska"``) file whose segment information gives the
    length in milliseconds; ``None``: no length written (as a live recording leaves it)."""
    header = _ebml(
        0x1A45DFA3,
        _uint(0x4286, 1)
        + _uint(0x42F7, 1)
        + _uint(0x42F2, 4)
        + _uint(0x42F3, 8)
        + _ebml(0x4282, doctype)
        + _uint(0x4287, 2)
        + _uint(0x4285, 2),
    )
    info = _uint(0x2AD7B1, 1_000_000) + _ebml(0x4D80, b"igot-tests") + _ebml(0x5741, b"igot-tests")
    if seconds is not None:
        info += _ebml(0x4489, struct.pack(">d", seconds * 1000))
    track = _ebml(
        0xAE,
        _uint(0xD7, 1)
        + _uint(0x73C5, 1)
        + _uint(0x83, 1)
        + _ebml(0x86, b"V_VP8")
        + _ebml(0xE0, _uint(0xB0, 320) + _uint(0xBA, 240)),
    )
    return header + _ebml(0x18538067, _ebml(0x1549A966, info) + _ebml(0x1654AE6B, track))


def ogg_theora(seconds: int, fps: int = 25) -> bytes:
    """An Ogg file with one Theora stream: its identification and comment headers, and a last
    page whose position (granule) is the number of frames shown, at ``fps``."""
    from mutagen.ogg import OggPage

    shift = 6
    ident = (
        b"\x80theora"
        + bytes([3, 2, 1])
        + struct.pack(">HH", 20, 15)
        + (320).to_bytes(3, "big")
        + (240).to_bytes(3, "big")
        + bytes([0, 0])
        + struct.pack(">II", fps, 1)
        + (1).to_bytes(3, "big")
        + (1).to_bytes(3, "big")
        + bytes([0])
        + (0).to_bytes(3, "big")
        + struct.pack(">H", (32 << 10) | (shift << 5))
    )
    vendor = b"igot-tests"
    comment = b"\x81theora" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    setup = b"\x82theora" + b"\x00" * 16
    frames = seconds * fps
    pages = []
    for sequence, (packets, position, flags) in enumerate(
        (([ident], 0, {"first": True}), ([comment, setup], 0, {}), ([b"\x00" * 8], (frames - 1) << shift | 1, {"last": True}))
    ):
        page = OggPage()
        page.serial, page.sequence, page.position, page.packets = 7, sequence, position, packets
        page.first = flags.get("first", False)
        page.last = flags.get("last", False)
        pages.append(page.write())
    return b"".join(pages)
