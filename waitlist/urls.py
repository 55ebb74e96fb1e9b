from django.urls import path

from waitlist import views

app_name = "waitlist"

urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("couples/<int:couple_id>/add/", views.entry_add, name="entry_add"),
    path("entries/<int:entry_id>/withdraw/", views.entry_withdraw, name="entry_withdraw"),
    path("slots/<int:appointment_id>/", views.slot, name="slot"),
    path("offers/<int:offer_id>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    # The partner's side
    path("mine/", views.mine, name="mine"),
    path("offered/<int:recipient_id>/", views.offer, name="offer"),
]
