"""Share cards: per-language images rendered with Pillow (raqm layout, font fallback by run)."""
