from django.urls import path

from stock.views import log, lots

app_name = "stock"

urlpatterns = [
    path("stock/", lots.lot_list, name="lot_list"),
    path("stock/receive/", lots.lot_receive, name="lot_receive"),
    path("stock/waste/", lots.waste_record, name="waste_record"),
    path("stock/correct/", lots.correction_record, name="correction_record"),
    path("stock/log/", log.stock_log, name="log"),
]
