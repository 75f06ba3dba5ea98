// @reer/ingest public API
