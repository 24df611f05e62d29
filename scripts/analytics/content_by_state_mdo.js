// Content modules by providing MDO and workflow state (Draft, In Review, Reviewed, Published, Retired, Superseded).
//
//   mongosh "$MONGODB_URI" scripts/analytics/content_by_state_mdo.js
//   mongosh "$MONGODB_URI" --eval 'var MDO = "Ministry of Power"' scripts/analytics/content_by_state_mdo.js
//   igot aggregate content_by_state_mdo [--mdo "Ministry of Power"] [--format table|csv|json]
//
// The pipeline is kept once, here, as strict JSON; `igot aggregate` reads it from this file.
const collection = "content_module";
const pipeline = [
  {
    "$group": {
      "_id": {
        "mdo": "$mdo",
        "state": "$workflow_state"
      },
      "modules": {
        "$sum": 1
      }
    }
  },
  {
    "$project": {
      "_id": 0,
      "mdo": "$_id.mdo",
      "state": "$_id.state",
      "modules": 1
    }
  },
  {
    "$sort": {
      "mdo": 1,
      "state": 1
    }
  }
];
const stages = typeof MDO === "undefined" ? pipeline : [{ $match: { mdo: MDO } }].concat(pipeline);
db.getCollection(collection).aggregate(stages).forEach((row) => printjson(row));
