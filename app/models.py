"""mongoengine models generated from the meta, for the admin (Flask-Admin's mongoengine views).

Built once per site at start-up and never regenerated in a running process: mongoengine keeps
a global registry of document classes, and regenerating them at run time leaves stale
entries. The models are deliberately thin:

- every class is a ``DynamicDocument`` with ``strict: False``, so per-MDO custom fields and
  fields added later appear as dynamic attributes without a new class;
- Link fields are plain ``StringField`` names, never ``ReferenceField`` (no stale targets,
  and the same shape analysts see);
- indexes are not created here (``auto_create_index: False``): ``igot init`` creates those the
  meta declares;
- the models read; writes from the admin go through ``app/lifecycle.py`` so validation,
  hooks, naming, permissions and audit run exactly as for the API.
"""
from __future__ import annotations

import mongoengine
from mongoengine import fields as me

FIELDS = {
    "Data": me.StringField, "Text": me.StringField, "Link": me.StringField, "Attach": me.StringField,
    "Email": me.StringField, "Phone": me.StringField, "Select": me.StringField, "Date": me.StringField,
    "Int": me.IntField, "Rating": me.IntField, "Float": me.FloatField, "Currency": me.FloatField,
    "Percent": me.FloatField, "Check": me.BooleanField, "Datetime": me.DateTimeField,
    "JSON": me.DynamicField, "Table": lambda **kw: me.ListField(me.DictField(), **kw),
}


_DOCUMENT_ATTRIBUTES = set(dir(mongoengine.DynamicDocument))


def connect(site) -> str:
    """Register the site's existing client with mongoengine under an alias of its own."""
    alias = f"igot-{id(site)}"

    def existing_client(**_settings):
        return site.store.client

    mongoengine.connect(db=site.db.name, alias=alias, mongo_client_class=existing_client,
                        uuidRepresentation="standard")
    return alias


def build_models(site) -> dict[str, type[mongoengine.DynamicDocument]]:
    alias = connect(site)
    models = {}
    for meta in site.registry:
        if meta.is_child:
            continue
        attrs = {
            "meta": {"collection": meta.collection, "db_alias": alias, "strict": False,
                     "auto_create_index": False, "allow_inheritance": False},
            "name": me.StringField(primary_key=True),
            "owner": me.StringField(), "modified_by": me.StringField(),
            "creation": me.DateTimeField(), "modified": me.DateTimeField(),
            "docstatus": me.IntField(default=0),
        }
        for f in meta.all_fields:
            kwargs = {"choices": f.select_options} if f.fieldtype == "Select" else {}
            if f.fieldname in _DOCUMENT_ATTRIBUTES:  # e.g. Custom DocPerm.delete
                attrs[f.fieldname + "_"] = FIELDS[f.fieldtype](db_field=f.fieldname, **kwargs)
            else:
                attrs[f.fieldname] = FIELDS[f.fieldtype](**kwargs)
        models[meta.name] = type(meta.name.replace(" ", "") + "Model", (mongoengine.DynamicDocument,), attrs)
    return models
