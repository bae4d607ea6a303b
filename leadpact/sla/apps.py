from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "leadpact.sla"
    label = "sla"
