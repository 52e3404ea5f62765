"""The Webhooks pages, under an organisation: /organisations/<id>/webhooks/."""

from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="endpoint-list"),
    path("new/", views.endpoint_create, name="endpoint-create"),
    path("<int:pk>/", views.endpoint_detail, name="endpoint-detail"),
    path("<int:pk>/edit/", views.endpoint_edit, name="endpoint-edit"),
    path("<int:pk>/toggle/", views.endpoint_toggle, name="endpoint-toggle"),
    path("<int:pk>/rotate/", views.endpoint_rotate, name="endpoint-rotate"),
    path("<int:pk>/delete/", views.endpoint_delete, name="endpoint-delete"),
    path(
        "<int:pk>/deliveries/<uuid:delivery_pk>/resend/",
        views.delivery_resend,
        name="delivery-resend",
    ),
]
