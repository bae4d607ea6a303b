from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leadpact.leads"
    label = "leads"
