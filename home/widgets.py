from django import forms

from .countries import country_choices


class CountrySelect(forms.Select):
    """A country picker whose names are in the editor's own language, sorted by name."""

    def get_context(self, name, value, attrs):
        self.choices = [("", "—")] + country_choices()
        return super().get_context(name, value, attrs)
