// Distribution of officers' credit point balances (the credit ledger summed per officer), in bands that straddle the 40 and 80 point thresholds.
//
//   mongosh "$MONGODB_URI" scripts/analytics/credit_balance_distribution.js
//   mongosh "$MONGODB_URI" --eval 'var MDO = "Ministry of Power"' scripts/analytics/credit_balance_distribution.js
//   igot aggregate credit_balance_distribution [--mdo "Ministry of Power"] [--format table|csv|json]
//
// The pipeline is kept once, here, as strict JSON; `igot aggregate` reads it from this file.
const collection = "credit_ledger";
const pipeline = [
  {
    "$group": {
      "_id": "$officer",
      "balance": {
        "$sum": "$points"
      }
    }
  },
  {
    "$bucket": {
      "groupBy": "$balance",
      "boundaries": [
        0,
        20,
        40,
        60,
        80,
        120,
        1000000
      ],
      "default": "negative",
      "output": {
        "officers": {
          "$sum": 1
        },
        "total_points": {
          "$sum": "$balance"
        }
      }
    }
  },
  {
    "$project": {
      "_id": 0,
      "from_points": "$_id",
      "officers": 1,
      "total_points": 1
    }
  }
];
const stages = typeof MDO === "undefined" ? pipeline : [{ $match: { mdo: MDO } }].concat(pipeline);
db.getCollection(collection).aggregate(stages).forEach((row) => printjson(row));
