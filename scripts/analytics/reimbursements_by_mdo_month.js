// Fee reimbursement claims by MDO, month of the claim and currency: claims, amount claimed, amount approved and amount paid.
//
//   mongosh "$MONGODB_URI" scripts/analytics/reimbursements_by_mdo_month.js
//   mongosh "$MONGODB_URI" --eval 'var MDO = "Ministry of Power"' scripts/analytics/reimbursements_by_mdo_month.js
//   igot aggregate reimbursements_by_mdo_month [--mdo "Ministry of Power"] [--format table|csv|json]
//
// The pipeline is kept once, here, as strict JSON; `igot aggregate` reads it from this file.
const collection = "reimbursement_claim";
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
        },
        "currency": "$currency"
      },
      "claims": {
        "$sum": 1
      },
      "claimed": {
        "$sum": "$amount_paid"
      },
      "approved": {
        "$sum": {
          "$ifNull": [
            "$approved_amount",
            0
          ]
        }
      },
      "paid": {
        "$sum": {
          "$cond": [
            {
              "$eq": [
                "$workflow_state",
                "Paid"
              ]
            },
            {
              "$ifNull": [
                "$approved_amount",
                0
              ]
            },
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
      "currency": "$_id.currency",
      "claims": 1,
      "claimed": 1,
      "approved": 1,
      "paid": 1
    }
  },
  {
    "$sort": {
      "mdo": 1,
      "month": 1,
      "currency": 1
    }
  }
];
const stages = typeof MDO === "undefined" ? pipeline : [{ $match: { mdo: MDO } }].concat(pipeline);
db.getCollection(collection).aggregate(stages).forEach((row) => printjson(row));
