from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "leadpact.notify"
    label = "notify"
