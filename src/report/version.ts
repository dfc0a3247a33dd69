// The report's schema version: it changes when a field changes meaning or goes away.
export const REPORT_SCHEMA_VERSION = 2;
