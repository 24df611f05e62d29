"""mongoengine models generated from the meta read what the lifecycle wrote."""
from app.model import lifecycle
from app.models import build_models


def test_models_read_lifecycle_records(site, officer_data):
    ctx = site.context()
    officer = lifecycle.insert(ctx, "Officer", officer_data | {"postings": [{"designation": "SDM", "from_date": "2014-01-01"}]})
    site.db.officer.update_one({"_id": officer.name}, {"$set": {"cadre_code": "HR-14"}})  # a field the meta lacks
    models = build_models(site)
    Officer = models["Officer"]
    assert Officer._meta["collection"] == "officer"
    got = Officer.objects(service="IAS", mdo="Ministry of Power").first()
    assert got.name == officer.name and got.year_of_allotment == 2012
    assert got.postings[0]["designation"] == "SDM"
    assert got.cadre_code == "HR-14"  # dynamic: custom fields need no new class
    assert models["MDO"].objects(phase_1_pilot=True).count() == 12
    assert "Officer Posting" not in models  # child tables live inside their parent
