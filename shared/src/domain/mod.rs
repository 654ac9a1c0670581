//! The console's domain: CRM objects and records, settings, lookup, history and search. It
//! knows the store port and nothing of HTTP or of DynamoDB.
