// @reer/scorer public API
