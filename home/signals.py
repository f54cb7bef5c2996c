"""Signals content sends for the layers above it (publishing listens; home imports none of it)."""

from django.dispatch import Signal

# Sent by the translations app after it copied a source page's synchronised fields
# (signatories, their visibility, dates, logos, countries) into its live translations,
# without publishing them: `page_published` does not fire for those translations, so
# whatever is derived from their facts (share cards, feeds) must listen to this.
# Arguments: sender = the source page's model, source = the source page,
# translations = the list of translation pages whose facts changed.
facts_synchronised = Signal()
