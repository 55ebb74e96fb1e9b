from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("couples/<int:couple_id>/", views.couple_detail, name="couple_detail"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner_detail"),
    path(
        "partners/<int:partner_id>/contact/",
        views.partner_contact_edit,
        name="partner_contact_edit",
    ),
]
