"""A PO file import says which entries it did not apply, and why.

wagtail-localize's import (`Translation.import_po`) quietly stores an entry whose
source text changed since the file was exported as a translation of the *old* text,
which no page uses, and answers "Successfully imported": a translator working from an
outdated file lost those entries without knowing. This view runs wagtail-localize's
own upload view and then tells the translator, per entry, what was not applied.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

import polib
from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail_localize.models import StringSegment, Translation, TranslationContext
from wagtail_localize.views.edit_translation import upload_pofile

SHOWN = 10  # entries named in the message; the rest are counted


def unapplied_entries(translation: Translation, po: polib.POFile) -> list[tuple[str, str, str]]:
    """[(context path, source text, reason)] for translated entries the import will not
    put on the page: a passage the source no longer has, or whose text changed."""
    current = set(
        StringSegment.objects.filter(source=translation.source).values_list(
            "context__path", "string__data"
        )
    )
    paths = {path for path, _text in current} | set(
        TranslationContext.objects.filter(object_id=translation.source.object_id).values_list(
            "path", flat=True
        )
    )
    unapplied = []
    for entry in po:
        if not entry.msgstr or (entry.msgctxt, entry.msgid) in current:
            continue
        if entry.msgctxt in {path for path, _text in current}:
            reason = _("its source text changed since the file was exported")
        elif entry.msgctxt in paths:
            reason = _("the source no longer has this passage")
        else:
            reason = _("this passage is not part of this page")
        unapplied.append((entry.msgctxt or "", entry.msgid, reason))
    return unapplied


def read_po(uploaded) -> polib.POFile | None:
    """Parse an upload from a file, never as a string (polib would read a path)."""
    with tempfile.NamedTemporaryFile(delete=False) as handle:
        handle.write(uploaded.read())
    try:
        return polib.pofile(handle.name)
    except (OSError, UnicodeDecodeError):
        return None
    finally:
        uploaded.seek(0)
        with contextlib.suppress(OSError):
            os.unlink(handle.name)


def upload_pofile_view(request, translation_id: int):
    """wagtail-localize's PO upload (same address and permissions), plus the report."""
    translation = get_object_or_404(Translation, pk=translation_id)
    uploaded = request.FILES.get("file")
    po = read_po(uploaded) if request.method == "POST" and uploaded else None
    unapplied = []
    if po is not None and po.metadata.get("X-WagtailLocalize-TranslationID") == str(
        translation.uuid
    ):
        unapplied = unapplied_entries(translation, po)
    response = upload_pofile(request, translation_id)
    if unapplied:
        lines = [
            f"“{Truncator(text).chars(80)}” ({path}): {reason}"
            for path, text, reason in unapplied[:SHOWN]
        ]
        if len(unapplied) > SHOWN:
            lines.append(_("and %(count)d more.") % {"count": len(unapplied) - SHOWN})
        messages.warning(
            request,
            ngettext(
                "%(count)d entry was not applied. Export a new file to translate the "
                "current text: %(entries)s",
                "%(count)d entries were not applied. Export a new file to translate the "
                "current text: %(entries)s",
                len(unapplied),
            )
            % {"count": len(unapplied), "entries": "; ".join(lines)},
        )
    return response
