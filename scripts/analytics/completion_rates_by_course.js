// Completion rate by course: certified enrolments as a percentage of enrolments that were not withdrawn or found not eligible.
//
//   mongosh "$MONGODB_URI" scripts/analytics/completion_rates_by_course.js
//   mongosh "$MONGODB_URI" --eval 'var MDO = "Ministry of Power"' scripts/analytics/completion_rates_by_course.js
//   igot aggregate completion_rates_by_course [--mdo "Ministry of Power"] [--format table|csv|json]
//
// The pipeline is kept once, here, as strict JSON; `igot aggregate` reads it from this file.
const collection = "enrolment";
const pipeline = [
  {
    "$match": {
      "workflow_state": {
        "$nin": [
          "Withdrawn",
          "Not Eligible"
        ]
      }
    }
  },
  {
    "$group": {
      "_id": "$course",
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
      },
      "not_certified": {
        "$sum": {
          "$cond": [
            {
              "$eq": [
                "$workflow_state",
                "Not Certified"
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
      "course": "$_id",
      "enrolments": 1,
      "certified": 1,
      "not_certified": 1,
      "completion_percent": {
        "$multiply": [
          {
            "$divide": [
              "$certified",
              "$enrolments"
            ]
          },
          100
        ]
      }
    }
  },
  {
    "$sort": {
      "completion_percent": -1,
      "course": 1
    }
  }
];
const stages = typeof MDO === "undefined" ? pipeline : [{ $match: { mdo: MDO } }].concat(pipeline);
db.getCollection(collection).aggregate(stages).forEach((row) => printjson(row));
