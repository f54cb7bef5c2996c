"""RSS and Atom feeds built with feedgen, in the manner of django.contrib.syndication.

`base.Feed` does the HTTP work once (caching, conditional GET, the feedgen
workarounds); the feeds in `letters.py` override a few small, named hooks.
"""
