// @reer/pipeline public API
