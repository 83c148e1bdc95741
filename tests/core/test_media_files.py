"""Audio and video files are told by their first bytes, never by their name; what is not ours is refused in one
sentence."""

from __future__ import annotations

import pytest

from cms.core import media_files
from cms.core.errors import InvalidInput
from tests import media_samples as samples


@pytest.mark.parametrize(("data", "expected"), [
    (samples.mp3(), ("mp3", "audio/mpeg", "audio")),
    (samples.mp3_without_tag(), ("mp3", "audio/mpeg", "audio")),
    (samples.mp4(), ("mp4", "video/mp4", "video")),
    (samples.mp4(b"M4V "), ("mp4", "video/mp4", "video")),
    (samples.mp4(b"M4A "), ("m4a", "audio/mp4", "audio")),
    (samples.ogg(), ("ogg", "audio/ogg", "audio")),
    (samples.ogg(b"OpusHead"), ("ogg", "audio/ogg", "audio")),
    (samples.ogg(b"\x80theora"), ("ogv", "video/ogg", "video")),
    (samples.wav(), ("wav", "audio/wav", "audio")),
    (samples.flac(), ("flac", "audio/flac", "audio")),
    (samples.webm(), ("webm", "video/webm", "video")),
    (samples.webm(b"A_OPUS"), ("webm", "audio/webm", "audio")),
], ids=["mp3", "mp3-without-id3", "mp4", "m4v", "m4a", "vorbis", "opus", "theora", "wav", "flac", "webm",
        "webm-audio"])
def test_a_file_is_known_by_its_first_bytes(data, expected):
    found = media_files.check(data[:media_files.HEAD_BYTES], size=len(data), max_bytes=10_000)
    assert (found.extension, found.content_type, found.kind) == expected
    assert media_files.BY_CONTENT_TYPE[found.content_type] == found


@pytest.mark.parametrize("data", [
    b"<html><script>alert(1)</script></html>",
    b"ID", b"\xff\xf1\x50\x80",  # too short to be anything; AAC in ADTS, not an MP3 frame
    samples.mp4(b"qt  "),  # QuickTime, which only Safari promises to play
    samples.webm(doctype=b"matroska"),  # an .mkv
    samples.ogg(b"\x00unknown"),
    b"\x89PNG\r\n\x1a\n" + bytes(50),
], ids=["html", "short", "adts", "quicktime", "matroska", "ogg-unknown", "png"])
def test_anything_else_is_refused_in_one_sentence(data):
    with pytest.raises(InvalidInput) as refused:
        media_files.check(data, size=len(data), max_bytes=10_000)
    assert str(refused.value) == ("The file is not an audio or video file this site plays "
                                  "(MP3, M4A, MP4, Ogg, WAV, FLAC or WebM).")


def test_an_empty_or_oversized_file_is_refused_before_its_bytes_are_looked_at():
    with pytest.raises(InvalidInput, match=r"^The file is empty\.$"):
        media_files.check(b"", size=0, max_bytes=1024)
    with pytest.raises(InvalidInput, match=r"^The file is larger than the 1 KB an audio or video file may be\.$"):
        media_files.check(samples.wav(), size=2048, max_bytes=1024)
    with pytest.raises(InvalidInput, match=r"the 50 MB an audio"):
        media_files.check(samples.wav(), size=60 * 1024 * 1024, max_bytes=50 * 1024 * 1024)


def test_a_player_plays_our_upload_with_a_link_to_it_inside():
    src = "/uploads/0123456789abcdef0123456789abcdef.mp3"
    assert media_files.player("audio", src, "Listen: talk.mp3") == (
        f'<audio controls src="{src}"><a href="{src}">Listen: talk.mp3</a></audio>')
    assert media_files.UPLOAD_PATH.fullmatch(src) and not media_files.UPLOAD_PATH.fullmatch(src[:-3] + "jpg")


@pytest.mark.parametrize(("kinds", "told"), [
    ({}, "0 images"), ({"image": 1}, "1 image"), ({"audio": 2}, "2 audio files"),
    ({"image": 3, "audio": 1, "video": 1}, "3 images, 1 audio file and 1 video file"),
    ({"image": 0, "video": 2}, "2 video files")])
def test_uploads_are_counted_by_kind_in_one_sentence(kinds, told):
    assert media_files.counted(kinds) == told
