"""Old task paths, kept so that tasks queued before the move still run.

django-tasks stores a task by its dotted path (`publishing.tasks.deliver`) in the database
queue (and RQ in Redis); the tasks now live beside their subsystems. Nothing imports this
module: a worker resolves old rows through it. Remove it one release after the move
(docs/decisions.md, "Tasks live in their subsystem").
"""

from publishing.feeds.tasks import WebSubPingFailed, ping_feeds_of_letters, ping_websub_hub
from publishing.share_images.tasks import render_share_images_for_page
from publishing.social.tasks import deliver, dispatch_deliveries

__all__ = [
    "WebSubPingFailed",
    "deliver",
    "dispatch_deliveries",
    "ping_feeds_of_letters",
    "ping_websub_hub",
    "render_share_images_for_page",
]
