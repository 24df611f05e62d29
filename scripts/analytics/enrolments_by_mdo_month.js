// Enrolments by MDO and month of registration, with how many of them are certified.
//
//   mongosh "$MONGODB_URI" scripts/analytics/enrolments_by_mdo_month.js
//   mongosh "$MONGODB_URI" --eval 'var MDO = "Ministry of Power"' scripts/analytics/enrolments_by_mdo_month.js
//   igot aggregate enrolments_by_mdo_month [--mdo "Ministry of Power"] [--format table|csv|json]
//
// The pipeline is kept once, here, as strict JSON; `igot aggregate` reads it from this file.
const collection = "enrolment";
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
      "enrolments": {
        "$sum": 1
      },
      "certified": {
        "$sum": {
          "$cond": [
            {
              "$eq": [
                "$workflow_state",
                "Certified"
              ]
            },
            1,
            0
          ]
        }
      }
    }
  },
  {
    "$project": {
      "_id": 0,
      "mdo": "$_id.mdo",
      "month": "$_id.month",
      "enrolments": 1,
      "certified": 1
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
