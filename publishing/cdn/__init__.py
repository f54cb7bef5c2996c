"""CDN purges: after a change to public content commits, drop from the CDN (or any
front-end cache Wagtail's `wagtail.contrib.frontend_cache` backends can purge: an HTTP
PURGE endpoint such as Varnish, Cloudflare, CloudFront) exactly the addresses that may
show the old content (`addresses`), in one batch, from the task worker (`tasks`).

Nothing is done, and nothing costs a query, unless `WAGTAILFRONTENDCACHE` names a backend
(config/settings/cdn.py builds it from the environment; docs/deploy.md, "CDN").
"""
