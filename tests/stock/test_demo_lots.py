"""The demo stock: two lots and a witnessed waste, written once however often it runs."""

from kapcouples.demo import DemoSeed
from kapcouples.models import Role
from stock import demo as demo_lots
from stock.models import Lot, StockEntry


def test_the_demo_stock_is_written_once(cast):
    seed = DemoSeed(
        clinic=cast.clinic,
        staff={Role.PRESCRIBER: cast.prescriber, Role.CLINICIAN: cast.clinician},
        make_user=lambda email, name: None,
    )
    demo_lots.seed(seed)
    demo_lots.seed(seed)
    balances = dict(Lot.objects.values_list("lot_number", "balance_mg"))
    assert balances == {"KT-24117": 3900, "KV-88120": 1000}
    assert StockEntry.objects.filter(kind="wasted", witness=cast.clinician).count() == 1
