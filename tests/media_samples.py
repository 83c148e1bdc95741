"""Tiny audio and video files for tests, made here: a real WAV, and for the other formats the first bytes that
tell them apart (what `core.media_files` checks), padded to a size. Browsers would not play the padded ones."""

from __future__ import annotations

import io
import struct
import wave


def wav(frames: int = 800) -> bytes:
    """A tenth of a second of silence at 8 kHz, mono: a complete, playable WAV."""
    output = io.BytesIO()
    with wave.open(output, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(1)
        sound.setframerate(8000)
        sound.writeframes(bytes([128]) * frames)
    return output.getvalue()


def mp3(size: int = 600) -> bytes:
    """An ID3v2 tag with no frames, then one MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz)."""
    return _padded(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00", size)


def mp3_without_tag(size: int = 600) -> bytes:
    return _padded(b"\xff\xfb\x90\x00", size)


def mp4(brand: bytes = b"isom", size: int = 600) -> bytes:
    """An ftyp box naming `brand` (b"M4A " for audio, b"qt  " for QuickTime), then an empty mdat box."""
    ftyp = struct.pack(">I", 24) + b"ftyp" + brand + struct.pack(">I", 0x200) + brand + b"mp41"
    return _padded(ftyp + struct.pack(">I", size - 24) + b"mdat", size)


def ogg(codec: bytes = b"\x01vorbis", size: int = 600) -> bytes:
    """One Ogg page holding the start of a stream's first packet, which names its codec."""
    packet = codec + bytes(30 - len(codec))
    page = b"OggS\x00\x02" + bytes(8) + struct.pack("<I", 1) + bytes(8) + bytes([1, len(packet)]) + packet
    return _padded(page, size)


def webm(codec: bytes = b"V_VP9", doctype: bytes = b"webm", size: int = 600) -> bytes:
    """An EBML header with its DocType, then a track naming `codec`."""
    header = b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
    return _padded(b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + b"\x86\x85" + codec, size)


def flac(size: int = 600) -> bytes:
    return _padded(b"fLaC\x00\x00\x00\x22", size)


def _padded(head: bytes, size: int) -> bytes:
    return head + bytes(max(0, size - len(head)))
