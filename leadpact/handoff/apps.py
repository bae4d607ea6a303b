from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "leadpact.handoff"
    label = "handoff"
