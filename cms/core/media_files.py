"""Audio and video files in the media library: what a file is, told by its first bytes, never by its name.

A file's name and the type a browser or an old site claimed are not trusted; the container's own signature
decides, and only containers every current browser plays are taken. Unlike an image, such a file is kept as it
came (decoding and encoding sound or film again is not a job for a web request); it is served with the content
type its signature gave, under its own extension, so a browser never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cms.core.documents import plural
from cms.core.errors import InvalidInput
from cms.core.numbers import file_size

IMAGE = "image"
AUDIO = "audio"
VIDEO = "video"
#: What each kind of upload is called in a sentence.
NOUNS = {IMAGE: "image", AUDIO: "audio file", VIDEO: "video file"}


def counted(kinds: Mapping[str, int]) -> str:
    """"3 images, 1 audio file and 1 video file"; "0 images" when there are none."""
    words = [plural(kinds[kind], noun) for kind, noun in NOUNS.items() if kinds.get(kind)]
    if not words:
        return plural(0, NOUNS[IMAGE])
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


@dataclass(frozen=True)
class Format:
    """One kind of file we keep and serve."""

    extension: str  # in its address: /uploads/<key>.<extension>
    content_type: str
    kind: str  # AUDIO or VIDEO
    name: str  # as people know it ("MP3 audio" on the media screen)


MP3 = Format("mp3", "audio/mpeg", AUDIO, "MP3")
M4A = Format("m4a", "audio/mp4", AUDIO, "M4A")
MP4 = Format("mp4", "video/mp4", VIDEO, "MP4")
OGG = Format("ogg", "audio/ogg", AUDIO, "Ogg")
OGV = Format("ogv", "video/ogg", VIDEO, "Ogg")
WAV = Format("wav", "audio/wav", AUDIO, "WAV")
FLAC = Format("flac", "audio/flac", AUDIO, "FLAC")
WEBM = Format("webm", "video/webm", VIDEO, "WebM")
#: WebM holding sound alone; same extension, so one key never has two addresses.
WEBM_AUDIO = Format("webm", "audio/webm", AUDIO, "WebM")
FORMATS = (MP3, M4A, MP4, OGG, OGV, WAV, FLAC, WEBM, WEBM_AUDIO)
BY_CONTENT_TYPE = {known.content_type: known for known in FORMATS}
EXTENSIONS = tuple(dict.fromkeys(known.extension for known in FORMATS))
#: The address of one of our audio or video files.
UPLOAD_PATH = re.compile(r"/uploads/(?P<key>[0-9a-f]{32})\.(?P<ext>" + "|".join(EXTENSIONS) + ")")
#: What the import and the refusals name as accepted.
ACCEPTED = "MP3, M4A, MP4, Ogg, WAV, FLAC or WebM"
#: How many leading bytes `sniff` reads: enough for WebM's track list, which follows a short header.
HEAD_BYTES = 4096

#: MP4 brands of files holding sound alone (iTunes audio, audiobooks); any other brand is a film.
_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B ")
#: QuickTime's own brand: a .mov, which browsers other than Safari do not promise to play.
_QUICKTIME = b"qt  "
#: The first packet of an Ogg stream names its codec.
_OGG_AUDIO = (b"\x01vorbis", b"OpusHead", b"\x7fFLAC", b"Speex   ")
_OGG_VIDEO = (b"\x80theora",)
#: Matroska's DocType element holding "webm"; and the codec ids of its video tracks.
_WEBM_DOCTYPE = b"\x42\x82\x84webm"
_WEBM_VIDEO_CODECS = (b"V_VP8", b"V_VP9", b"V_AV1")


def sniff(head: bytes) -> Format | None:
    """Return the format of a file that starts with `head` (its first HEAD_BYTES), or None if it is none of
    ours. A signature is all this checks: a damaged file of a known kind is stored, and a browser says so."""
    if head[:4] == b"fLaC":
        return FLAC
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == _QUICKTIME:
            return None
        return M4A if brand in _AUDIO_BRANDS else MP4
    if head[:4] == b"OggS" and len(head) > 27:
        packet = head[27 + head[26]:]  # after the page header and its segment table
        if packet.startswith(_OGG_AUDIO):
            return OGG
        return OGV if packet.startswith(_OGG_VIDEO) else None
    if head[:4] == b"\x1a\x45\xdf\xa3":
        if _WEBM_DOCTYPE not in head[:64]:
            return None  # another Matroska file (.mkv), which browsers do not promise to play
        return WEBM if any(codec in head for codec in _WEBM_VIDEO_CODECS) else WEBM_AUDIO
    if head[:3] == b"ID3" or _is_mpeg_audio_frame(head[:2]):
        return MP3
    return None


def check(head: bytes, *, size: int, max_bytes: int) -> Format:
    """Return the format of a file of `size` bytes starting with `head`; raises InvalidInput, in one sentence,
    if it is empty, larger than `max_bytes`, or not an audio or video file we keep."""
    if size > max_bytes:
        raise InvalidInput(f"The file is larger than the {file_size(max_bytes)} an audio or video file may be.")
    if not size:
        raise InvalidInput("The file is empty.")
    found = sniff(head)
    if found is None:
        raise InvalidInput(f"The file is not an audio or video file this site plays ({ACCEPTED}).")
    return found


def _is_mpeg_audio_frame(header: bytes) -> bool:
    """An MPEG audio frame of Layer III (an MP3 without an ID3 tag): 11 sync bits, then the layer bits 01."""
    return len(header) == 2 and header[0] == 0xFF and header[1] & 0xE6 == 0xE2


def player(kind: str, src: str, label: str) -> str:
    """The <audio> or <video> element that plays our upload at `src`, with a link to the file inside it for
    browsers that play neither; `label` is Markdown text ("Listen: breathing.mp3")."""
    return f'<{kind} controls src="{src}"><a href="{src}">{label}</a></{kind}>'
