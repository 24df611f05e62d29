// Competency gaps by MDO and competency: officers whose role map asks for the competency, officers short of the level, and the average shortfall of those short (from the gap_summary rollup).
//
//   mongosh "$MONGODB_URI" scripts/analytics/competency_gaps_by_mdo.js
//   mongosh "$MONGODB_URI" --eval 'var MDO = "Ministry of Power"' scripts/analytics/competency_gaps_by_mdo.js
//   igot aggregate competency_gaps_by_mdo [--mdo "Ministry of Power"] [--format table|csv|json]
//
// The pipeline is kept once, here, as strict JSON; `igot aggregate` reads it from this file.
const collection = "gap_summary";
const pipeline = [
  {
    "$group": {
      "_id": {
        "mdo": "$mdo",
        "competency": "$competency"
      },
      "officers": {
        "$sum": "$officers"
      },
      "officers_short": {
        "$sum": "$officers_short"
      },
      "total_gap": {
        "$sum": "$total_gap"
      }
    }
  },
  {
    "$match": {
      "officers_short": {
        "$gt": 0
      }
    }
  },
  {
    "$project": {
      "_id": 0,
      "mdo": "$_id.mdo",
      "competency": "$_id.competency",
      "officers": 1,
      "officers_short": 1,
      "average_gap": {
        "$divide": [
          "$total_gap",
          "$officers_short"
        ]
      }
    }
  },
  {
    "$sort": {
      "mdo": 1,
      "officers_short": -1,
      "competency": 1
    }
  }
];
const stages = typeof MDO === "undefined" ? pipeline : [{ $match: { mdo: MDO } }].concat(pipeline);
db.getCollection(collection).aggregate(stages).forEach((row) => printjson(row));
