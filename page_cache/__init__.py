"""Whole-page cache for public pages (docs/decisions.md, "Page cache").

Public pages (home, letter index, letters, organization index, organizations) are
stored whole after their first rendering and answered from the cache, without a
database query, until public content changes. Every stored page is keyed under a
*generation*: a random token kept in the `pages` cache, replaced after each commit
that changes public content (`retire_pages`, called by `ContentVersion.bump`).

This package knows nothing of the publishing pipeline; publishing calls it.
"""
