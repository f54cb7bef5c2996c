""""May already be posted" is one stored fact: `send_started_at` (issue 11).

A delivery whose `outcome_unknown` was set keeps its doubt as a `send_started_at`
(its first send, else its last change); a start time left outside "sending"
(which meant nothing) is cleared; then the boolean goes.
"""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce


def keep_doubts(apps, schema_editor):
    Delivery = apps.get_model("publishing", "Delivery")
    Delivery.objects.filter(outcome_unknown=True, send_started_at__isnull=True).update(
        send_started_at=Coalesce(F("first_send_at"), F("updated_at"))
    )
    # Outside "sending" a left-over start time meant nothing; now it would mean a doubt.
    Delivery.objects.filter(outcome_unknown=False, send_started_at__isnull=False).exclude(
        status="sending"
    ).update(send_started_at=None)


def restore_doubts(apps, schema_editor):
    Delivery = apps.get_model("publishing", "Delivery")
    Delivery.objects.filter(send_started_at__isnull=False).exclude(status="sending").update(
        outcome_unknown=True
    )


class Migration(migrations.Migration):
    dependencies = [("publishing", "0008_connect_health")]

    operations = [
        migrations.RunPython(keep_doubts, restore_doubts),
        migrations.RemoveField(model_name="delivery", name="outcome_unknown"),
    ]
