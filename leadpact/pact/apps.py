from django.apps import AppConfig


class PactConfig(AppConfig):
    name = "leadpact.pact"
    label = "pact"
