// The database spec schema lives in core (the app spec attaches it to environments); re-exported here.
export * from '../core/database-spec.js';
