"""``/open311/v2/…`` — GeoReport v2, each resource in ``.json`` and ``.xml``."""

from django.urls import re_path

from . import views

app_name = "open311"

F = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + F, views.discovery, name="discovery"),
    re_path(r"^services" + F, views.services_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)" + F, views.service_definition, name="service"),
    re_path(r"^requests" + F, views.requests_list, name="requests"),
    re_path(r"^requests/(?P<pk>[^/]+)" + F, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + F, views.token_detail, name="token"),
    re_path(r"^(?P<rest>.*?)" + F, views.unknown, name="unknown"),
]
