from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "leadpact.worker"
    label = "worker"
