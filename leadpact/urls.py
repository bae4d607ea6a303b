from django.urls import include, path

from leadpact.api import api
from leadpact.leads.views import web_to_lead

urlpatterns = [
    path("api/", api.urls),
    path("forms/web-to-lead", web_to_lead, name="web-to-lead"),
    path("", include("leadpact.web.urls")),
]
