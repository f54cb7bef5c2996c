"""Rasterized runs are reused: drawing from the kept mask gives the pixels Pillow draws."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from publishing.share_images import raster
from publishing.share_images.fonts import faces_for, truetype

RUNS = [
    ("Noto Sans", "Speak up for private messaging", "ltr", "en"),
    ("Noto Sans Arabic", "دافعوا عن المراسلة الخاصة", "rtl", "ar"),
    ("Noto Sans Devanagari", "निजी संदेश सेवा के पक्ष में", "ltr", "hi"),
    ("Noto Sans Hebrew", "הודעה (פרטית)", "rtl", "he"),
]


def _face(name):
    return next(face for face in faces_for("noto-sans") if face.name == name)


@pytest.fixture(autouse=True)
def _empty_masks():
    raster.clear()
    yield
    raster.clear()


@pytest.mark.parametrize(("face", "text", "direction", "language"), RUNS)
@pytest.mark.parametrize("x", [40, 40.25, 613.7])
def test_a_kept_mask_draws_exactly_what_pillow_draws(face, text, direction, language, x):
    path = _face(face).bold
    expected = Image.new("RGB", (900, 160), "#1b1b1f")
    ImageDraw.Draw(expected).text(
        (x, 100),
        text,
        font=truetype(path, 64),
        fill="#fbfaf7",
        anchor="ls",
        direction=direction,
        language=language,
    )
    for fill in ("#fbfaf7", "#e4572e"):  # the second draw comes from the kept mask
        drawn = Image.new("RGB", (900, 160), "#1b1b1f")
        raster.draw_run(ImageDraw.Draw(drawn), (x, 100), text, path, 64, direction, language, fill)
        if fill == "#fbfaf7":
            assert drawn.tobytes() == expected.tobytes()
        else:
            assert drawn.getpixel((0, 0)) == (0x1B, 0x1B, 0x1F)
            assert (0xE4, 0x57, 0x2E) in {c for _n, c in drawn.getcolors(1 << 16)}
    assert len(raster._MASKS) == 1


def test_runs_starting_at_another_sub_pixel_offset_are_rasterized_again():
    path = _face("Noto Sans").regular
    canvas = ImageDraw.Draw(Image.new("RGB", (400, 60)))
    for x in (10, 10.5, 11, 10.5):
        raster.draw_run(canvas, (x, 40), "Letter", path, 28, "ltr", "en", "#ffffff")
    assert len(raster._MASKS) == 2  # 10 and 11 share the whole-pixel start


def test_kept_masks_stay_within_the_budget(monkeypatch):
    monkeypatch.setattr(raster, "MASK_BUDGET", 40_000)
    path = _face("Noto Sans").regular
    canvas = ImageDraw.Draw(Image.new("RGB", (900, 60)))
    for index in range(40):
        raster.draw_run(canvas, (0, 40), f"Letter {index}", path, 28, "ltr", "en", "#ffffff")
        assert raster._pixels <= 40_000
        assert raster._pixels == sum(m.size[0] * m.size[1] for m, _o in raster._MASKS.values())
    assert 0 < len(raster._MASKS) < 40
