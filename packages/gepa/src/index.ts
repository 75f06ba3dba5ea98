// @reer/gepa public API
