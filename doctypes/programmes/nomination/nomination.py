"""Nomination: the credit threshold of the officer's level, checked and explained."""

from app.model.document import Document
from doctypes.programmes import programme_rules as programme


class Nomination(Document):
    def validate(self):
        db = self.ctx.site.unguarded_db
        officer = db["officer"].find_one({"_id": self.officer}) if self.officer else None
        tp = db["training_programme"].find_one({"_id": self.training_programme}) if self.training_programme else None
        if officer is None or tp is None:
            return
        other = db["nomination"].find_one(
            {"officer": self.officer, "training_programme": self.training_programme, "_id": {"$ne": self.name}}, {"_id": 1}
        )
        if other:
            self.add_error("training_programme", f"already nominated ({other['_id']}).")
        for key, value in programme.nomination_decision(db, officer, tp).items():
            self.set(key, value)
