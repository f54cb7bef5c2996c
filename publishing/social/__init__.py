"""Social posting: from a published letter to posts on the networks.

    receivers ─→ recording (deliveries written in the publish transaction)
    tasks ─→ worker (claims a delivery, composes it with posts/compose, sends it through a
             channel, records the answer; returns "retry at T", the task layer enqueues)
    actions (a person's Retry, Mark as posted, Post again, Post the latest letter)
    admin_views, admin_urls, forms, panels, preview, wagtail_hooks: the admin side
    credentials: sealing of account credentials at rest

The models stay in `publishing.models.social` (one Django app). A network's own rules live
in its channel file (`publishing.channels`), never here.
"""
