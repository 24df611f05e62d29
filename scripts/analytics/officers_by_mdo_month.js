// Officers onboarded, by MDO and month of onboarding.
//
//   mongosh "$MONGODB_URI" scripts/analytics/officers_by_mdo_month.js
//   mongosh "$MONGODB_URI" --eval 'var MDO = "Ministry of Power"' scripts/analytics/officers_by_mdo_month.js
//   igot aggregate officers_by_mdo_month [--mdo "Ministry of Power"] [--format table|csv|json]
//
// The pipeline is kept once, here, as strict JSON; `igot aggregate` reads it from this file.
const collection = "analyst_officer";
const pipeline = [
  {
    "$group": {
      "_id": {
        "mdo": "$mdo",
        "month": {
          "$dateToString": {
            "format": "%Y-%m",
            "date": "$creation"
          }
        }
      },
      "officers": {
        "$sum": 1
      }
    }
  },
  {
    "$project": {
      "_id": 0,
      "mdo": "$_id.mdo",
      "month": "$_id.month",
      "officers": 1
    }
  },
  {
    "$sort": {
      "mdo": 1,
      "month": 1
    }
  }
];
const stages = typeof MDO === "undefined" ? pipeline : [{ $match: { mdo: MDO } }].concat(pipeline);
db.getCollection(collection).aggregate(stages).forEach((row) => printjson(row));
