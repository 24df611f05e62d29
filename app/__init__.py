"""iGOT: a capacity-building platform for civil servants, built on DocTypes stored in MongoDB."""
